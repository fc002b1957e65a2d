using System.Text.Json;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// The native inbox path on the Claude Code users run (2.1.332): sessions started with no channel flag at all, with
/// and without the relay plugin, are asked from a terminal and from other sessions; they answer with relay_reply or
/// with Claude Code's own SendMessage; the asker learns every state (sent, delivered, surfaced, held) and every
/// ending (reply, refused, expired, timeout).
/// </summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class InboxDeliveryTests
{
    private const string Question = "Which branch are you on? Answer with \"main\" & <b>nothing</b> else — ✓";

    private static readonly ClaudeSessionOptions NoFlag = new() { Channel = false };

    [ClaudeFact]
    public async Task A_session_without_a_channel_flag_is_asked_through_its_inbox_before_its_first_prompt_and_answers_with_relay_reply()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var bravo = world.StartSession("bravo", ScriptedPeer.Brain(_ => "main, says bravo ✓"), NoFlag);
        await world.WaitForPeerCountAsync(1);

        // No prompt was ever sent to bravo: the inbox message starts its first turn.
        var asked = await world.RunRelayAsync(["ask", "bravo", Question, "--timeout", "60s"]);

        Assert.True(asked.ExitCode == 0, $"{asked}\n{world.Diagnostics()}");
        Assert.Equal("main, says bravo ✓\n", asked.Stdout);
        var progress = asked.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("relay: sent to bravo (native inbox)", progress[0]);
        Assert.Contains("relay: bravo's model has the question", progress);

        var atBravo = await world.WaitForRequestAsync(r => r.SessionId == bravo.SessionId && InboxTag.FindAll(r.AllText).Count > 0, "the ask reaching bravo's model");
        Assert.Contains("Another Claude session sent a message", atBravo.AllText, StringComparison.Ordinal);
        var ask = Assert.Single(InboxTag.FindAll(atBravo.AllText));
        Assert.Equal(Question, ask.Question);
        Assert.StartsWith("cli-", ask.From, StringComparison.Ordinal);
        Assert.DoesNotContain("<channel source=", atBravo.AllText, StringComparison.Ordinal);
        Assert.Empty(world.Api.Errors);

        var peers = await world.RunRelayAsync(["peers", "--json"]);
        var listed = JsonDocument.Parse(peers.Stdout).RootElement.GetProperty("peers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "bravo");
        Assert.Equal("inbox", listed.GetProperty("delivery").GetString());
        Assert.Equal("claude", listed.GetProperty("kind").GetString());
    }

    [ClaudeFact]
    public async Task An_idle_session_answers_with_SendMessage_and_the_asking_session_gets_the_reply_as_its_channel_turn()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var alpha = world.StartSession("alpha", ScriptedPeer.Brain());
        var bravo = world.StartSession("bravo", ScriptedPeer.Brain(_ => "main (via SendMessage)", InboxAnswer.SendMessage), NoFlag);
        await world.GreetAsync(alpha, bravo);

        await alpha.AskAsync(ScriptedPeer.AskPrompt("bravo", Question));

        // bravo, idle after its greeting, got the ask in its inbox and answered with its own SendMessage tool.
        var sent = await world.WaitForRequestAsync(
            r => r.SessionId == bravo.SessionId && r.ToolCalls(ScriptedPeer.SendMessage).Any() && r.LastToolResults.Any(t => t.Tool == ScriptedPeer.SendMessage),
            "bravo's SendMessage result");
        var result = sent.LastToolResults.Single(t => t.Tool == ScriptedPeer.SendMessage);
        Assert.False(result.IsError, result.Text);

        // alpha's model got it as relay's reply, exactly once, with the ask's id.
        var atAlpha = await world.WaitForRequestAsync(r => r.SessionId == alpha.SessionId && r.Channels.Any(c => c["type"] == "reply"), "the reply reaching alpha's model");
        var reply = Assert.Single(atAlpha.Channels, c => c["type"] == "reply");
        Assert.Equal("bravo", reply["from"]);
        Assert.Equal("main (via SendMessage)", reply.Content);
        var askId = InboxTag.FindAll(sent.AllText).Single().AskId;
        Assert.Equal(askId, reply["ask_id"]);
        Assert.Empty(world.Api.Errors);
    }

    [ClaudeFact]
    public async Task A_session_started_with_relay_as_a_channel_gets_each_ask_once_as_a_channel_turn_and_never_in_its_inbox()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var alpha = world.StartSession("alpha", ScriptedPeer.Brain(_ => "channel answer"));
        await world.GreetAsync(alpha);

        var asked = await world.RunRelayAsync(["ask", "alpha", Question, "--timeout", "60s"]);

        Assert.True(asked.ExitCode == 0, $"{asked}\n{world.Diagnostics()}");
        Assert.Equal("channel answer\n", asked.Stdout);
        Assert.StartsWith("relay: sent to alpha (channel)", asked.Stderr, StringComparison.Ordinal);
        var last = world.Api.RequestsOf(alpha.SessionId).Last(r => r.IsMainLoop);
        Assert.Single(last.Channels, c => c["type"] == "ask");
        Assert.Empty(InboxTag.FindAll(last.AllText));
        Assert.DoesNotContain("Another Claude session sent a message", last.AllText, StringComparison.Ordinal);
    }

    [ClaudeFact]
    public async Task A_terminal_asks_a_Claude_Code_session_that_has_no_relay_plugin_and_prints_its_SendMessage_answer()
    {
        await using var world = new ClaudeWorld();
        var plain = world.StartSession("plain", ScriptedPeer.Brain(_ => "answered without any plugin", InboxAnswer.SendMessage), new ClaudeSessionOptions { Channel = false, PluginInstalled = false });

        // The user's terminal shares the session's HOME; relay finds the session in Claude Code's own records.
        var peers = await PollPeersAsync(world, plain.Home, "plain");
        Assert.Equal("claude-native", peers.GetProperty("kind").GetString());
        Assert.Equal("inbox", peers.GetProperty("delivery").GetString());
        Assert.Equal(plain.WorkDir, peers.GetProperty("cwd").GetString());

        var asked = await world.RunRelayAsync(["ask", "plain", Question, "--timeout", "60s"], home: plain.Home);

        Assert.True(asked.ExitCode == 0, $"{asked}\n{world.Diagnostics()}");
        Assert.Equal("answered without any plugin\n", asked.Stdout);
        Assert.Contains("relay: delivered to plain's session (native inbox)", asked.Stderr, StringComparison.Ordinal);
        var atPlain = world.Api.RequestsOf(plain.SessionId).First(r => InboxTag.FindAll(r.AllText).Count > 0);
        Assert.Contains("with SendMessage to", atPlain.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("relay_reply(", InboxTag.FindAll(atPlain.AllText).Single().Question, StringComparison.Ordinal);
    }

    [ClaudeFact]
    public async Task A_bypass_permissions_session_without_the_plugin_holds_the_ask_and_the_asker_is_told_held_then_expired_when_it_ends()
    {
        await using var world = new ClaudeWorld();
        var yolo = world.StartSession("yolo", ScriptedPeer.Brain(_ => "should never be asked", InboxAnswer.SendMessage), new ClaudeSessionOptions { Channel = false, PluginInstalled = false, PermissionMode = "bypassPermissions" });
        await PollPeersAsync(world, yolo.Home, "yolo");

        var ask = TrackedProcess.StartRelay(["--data-dir", world.DataDir, "ask", "yolo", Question, "--timeout", "90s"], world.Env.With("HOME", yolo.Home), world.Root);
        await using (ask)
        {
            await WaitForStderrAsync(ask, "relay: held: yolo's session parked the ask until its user approves it", world);
            // In -p mode a held message expires when the session exits: the asker hears it at once.
            yolo.CloseInput();
            var code = await ask.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var lines = ask.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(code == 13, $"exit {code}\n{ask.Stderr}\n{world.Diagnostics()}");
            Assert.StartsWith("relay: expired: yolo's session held the ask for its user's approval and it expired unapproved", lines[^2], StringComparison.Ordinal);
            Assert.StartsWith("hint: ", lines[^1], StringComparison.Ordinal);
        }

        Assert.DoesNotContain(world.Api.RequestsOf(yolo.SessionId), r => InboxTag.FindAll(r.AllText).Count > 0);
    }

    [ClaudeFact]
    public async Task A_bypass_permissions_session_with_the_plugin_gets_the_ask_at_once_because_its_own_channel_writes_it()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        world.StartSession("yolo", ScriptedPeer.Brain(_ => "answered from bypass mode"), NoFlag with { PermissionMode = "bypassPermissions" });
        await world.WaitForPeerCountAsync(1);

        // Claude Code holds cross-session messages in bypass mode, but not what its own child process (the relay
        // channel) writes into its inbox (verified on 2.1.332).
        var asked = await world.RunRelayAsync(["ask", "yolo", Question, "--timeout", "60s"]);

        Assert.True(asked.ExitCode == 0, $"{asked}\n{world.Diagnostics()}");
        Assert.Equal("answered from bypass mode\n", asked.Stdout);
        Assert.DoesNotContain("held", asked.Stderr, StringComparison.Ordinal);
    }

    [ClaudeFact]
    public async Task A_receiver_that_refuses_cross_session_messages_is_reported_refused_at_once()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var closed = world.StartSession("closed", ScriptedPeer.Brain(_ => "never"), NoFlag with { Settings = """{"crossSessionInbound":"refuse"}""" });
        await world.WaitForPeerCountAsync(1);

        var asked = await world.RunRelayAsync(["ask", "closed", Question, "--timeout", "60s"]);

        Assert.True(asked.ExitCode == 12, $"{asked}\n{world.Diagnostics()}");
        var last = asked.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(last, l => l.StartsWith("relay: refused: closed's Claude Code session refuses messages from other sessions", StringComparison.Ordinal));
        Assert.DoesNotContain(world.Api.RequestsOf(closed.SessionId), r => InboxTag.FindAll(r.AllText).Count > 0);
    }

    [ClaudeFact]
    public async Task A_broadcast_over_channel_inbox_and_terminal_peers_ends_with_a_summary_naming_the_silent_one()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var alpha = world.StartSession("alpha", ScriptedPeer.Brain(_ => "alpha: green"));
        await world.GreetAsync(alpha);
        world.StartSession("bravo", ScriptedPeer.Brain(_ => "bravo: compiling"), NoFlag);
        await using var ops = TrackedProcess.StartRelay(["--data-dir", world.DataDir, "listen", "--as", "ops", "--exec", "echo ops: on call"], world.Env, world.Root);
        await using var mute = TrackedProcess.StartRelay(["--data-dir", world.DataDir, "listen", "--as", "mute"], world.Env, world.Root);
        await world.WaitForPeerCountAsync(4);

        var sent = await world.RunRelayAsync(["broadcast", "Status report, please.", "--wait", "30s", "--json"]);

        Assert.True(sent.ExitCode == 4, $"{sent}\n{world.Diagnostics()}");
        var lines = sent.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var replies = lines.Where(l => l.GetProperty("type").GetString() == "reply").ToDictionary(l => l.GetProperty("from").GetString()!, l => l.GetProperty("text").GetString());
        Assert.Equal("alpha: green", replies["alpha"]);
        Assert.Equal("bravo: compiling", replies["bravo"]);
        Assert.Equal("ops: on call", replies["ops"]);
        var summary = lines[^1];
        Assert.Equal("summary", summary.GetProperty("type").GetString());
        Assert.Equal(4, summary.GetProperty("peer_count").GetInt32());
        Assert.Equal(3, summary.GetProperty("answered").GetInt32());
        Assert.Equal(["mute"], summary.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("mute", mute.Stdout, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> PollPeersAsync(ClaudeWorld world, string home, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var peers = await world.RunRelayAsync(["peers", "--json"], home: home);
            if (peers.ExitCode == 0
                && JsonDocument.Parse(peers.Stdout).RootElement.GetProperty("peers").EnumerateArray().FirstOrDefault(p => p.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } found)
            {
                return found.Clone();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"relay peers never listed {name}: {peers}\n{world.Diagnostics()}");
            }

            await Task.Delay(500);
        }
    }

    private static async Task WaitForStderrAsync(TrackedProcess process, string text, ClaudeWorld world)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!process.Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"never saw '{text}' (exited: {process.HasExited}): {process.Stderr}\n{world.Diagnostics()}");
            }

            await Task.Delay(100);
        }
    }
}
