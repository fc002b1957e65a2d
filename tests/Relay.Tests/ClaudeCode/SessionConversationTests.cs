using System.Text.Json.Nodes;
using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// Real Claude Code sessions with the plugin talk through relay: asks, replies, broadcasts and renames, asserted on
/// what each session's model was sent. Every session gets a first prompt and answers it before anything is sent to
/// it: Claude Code drops channel pushes that reach a session before its first prompt.
/// </summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class SessionConversationTests
{
    // Unicode, quotes, markup, a newline and an ampersand: the peer's model must get it exactly.
    private const string Question = "What is 6 × 7?\nAnswer with \"42\" & <b>nothing</b> else — ✓";

    [ClaudeFact]
    public async Task A_session_asks_another_and_the_reply_comes_back_as_a_channel_turn()
    {
        await using var world = new ClaudeWorld();
        await AskAndReplyAsync(world);
    }

    /// <summary>The legacy smoke: the same conversation on the oldest supported Claude Code (no server/discover, no ToolSearch).</summary>
    [ClaudeLegacyFact]
    public async Task On_the_oldest_supported_Claude_Code_a_session_asks_another_and_the_reply_comes_back()
    {
        await using var world = new ClaudeWorld(cli: ClaudeCli.LegacyPath);
        await AskAndReplyAsync(world);
    }

    private static async Task AskAndReplyAsync(ClaudeWorld world)
    {
        await world.InstallPluginAsync();
        var alpha = world.StartSession("alpha", ScriptedPeer.Brain(), new() { DebugLog = true });
        var bravo = world.StartSession("bravo", ScriptedPeer.Brain(_ => "42, says bravo ✓"));
        await world.GreetAsync(alpha, bravo);
        // Claude Code 2.1.332 probes with server/discover; the channel refuses it and stays on the legacy handshake
        // (a "modern" connection gets no channel pushes).
        var connected = alpha.DebugLog.Split('\n').Where(l => l.Contains("plugin:relay:relay", StringComparison.Ordinal) && l.Contains("Connection established", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(connected);
        Assert.All(connected, l => Assert.DoesNotContain("\"protocolEra\":\"modern\"", l, StringComparison.Ordinal));

        await alpha.AskAsync(ScriptedPeer.AskPrompt("bravo", Question));

        // alpha's model listed its peers (bravo, not itself), then asked bravo and got an ask_id back.
        var afterAsk = await world.WaitForRequestAsync(
            r => r.SessionId == alpha.SessionId && r.LastToolResults.Any(t => t.Tool == ScriptedPeer.Ask), "alpha's relay_ask result");
        var peers = ToolJson(afterAsk, ScriptedPeer.Peers);
        Assert.Equal("alpha", (string?)peers["me"]);
        Assert.Equal(["bravo"], peers["peers"]!.AsArray().Select(p => (string?)p!["name"]));
        var asked = ToolJson(afterAsk, ScriptedPeer.Ask);
        Assert.True((bool?)asked["ok"], asked.ToJsonString());
        var askId = (string?)asked["ask_id"];
        Assert.False(string.IsNullOrEmpty(askId));

        // bravo's model got the question verbatim in a channel turn from alpha and replied.
        var atBravo = await world.WaitForRequestAsync(
            r => r.SessionId == bravo.SessionId && r.Channels.Any(c => c["type"] == "ask"), "the ask reaching bravo's model");
        var ask = Assert.Single(atBravo.Channels, c => c["type"] == "ask");
        Assert.Equal("plugin:relay:relay", ask.Source);
        Assert.Equal("alpha", ask["from"]);
        Assert.Equal(askId, ask["ask_id"]);
        Assert.Equal(Question, ask.Content);
        Assert.Contains("<channel source=\"plugin:relay:relay\"", atBravo.LastUserText, StringComparison.Ordinal);

        // The reply reached alpha's model as a channel turn carrying the same ask_id.
        var atAlpha = await world.WaitForRequestAsync(
            r => r.SessionId == alpha.SessionId && r.Channels.Any(c => c["type"] == "reply"), "bravo's reply reaching alpha's model");
        var reply = Assert.Single(atAlpha.Channels, c => c["type"] == "reply");
        Assert.Equal("plugin:relay:relay", reply.Source);
        Assert.Equal("bravo", reply["from"]);
        Assert.Equal(askId, reply["ask_id"]);
        Assert.Equal("42, says bravo ✓", reply.Content);
        var replied = ToolJson(await world.WaitForRequestAsync(
            r => r.SessionId == bravo.SessionId && r.LastToolResults.Any(t => t.Tool == ScriptedPeer.Reply), "bravo's relay_reply result"), ScriptedPeer.Reply);
        Assert.True((bool?)replied["ok"], replied.ToJsonString());
        Assert.Empty(world.Api.Errors);
    }

    [ClaudeFact]
    public async Task A_broadcast_reaches_every_other_session_and_both_replies_come_back()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var alpha = world.StartSession("alpha", ScriptedPeer.Brain());
        var bravo = world.StartSession("bravo", ScriptedPeer.Brain(_ => "bravo: all green"));
        var charlie = world.StartSession("charlie", ScriptedPeer.Brain(_ => "charlie: still compiling"));
        await world.GreetAsync(alpha, bravo, charlie);

        await alpha.AskAsync(ScriptedPeer.BroadcastPrompt("Status report, please."));

        var sent = ToolJson(await world.WaitForRequestAsync(
            r => r.SessionId == alpha.SessionId && r.LastToolResults.Any(t => t.Tool == ScriptedPeer.Broadcast), "alpha's relay_broadcast result"), ScriptedPeer.Broadcast);
        Assert.True((bool?)sent["ok"], sent.ToJsonString());
        Assert.Equal(2, (int?)sent["peer_count"]);
        var broadcastId = (string?)sent["broadcast_id"];
        Assert.False(string.IsNullOrEmpty(broadcastId));

        foreach (var peer in new[] { bravo, charlie })
        {
            var received = await world.WaitForRequestAsync(
                r => r.SessionId == peer.SessionId && r.Channels.Any(c => c["type"] == "ask"), $"the broadcast reaching {peer.Name}'s model");
            var ask = Assert.Single(received.Channels, c => c["type"] == "ask");
            Assert.Equal("alpha", ask["from"]);
            Assert.Equal(broadcastId, ask["broadcast_id"]);
            Assert.Equal("Status report, please.", ask.Content);
        }

        // Both replies may arrive in one turn or in two; the latest request holds the whole conversation.
        var both = await world.WaitForRequestAsync(
            r => r.SessionId == alpha.SessionId && r.Channels.Count(c => c["type"] == "reply") == 2, "both replies reaching alpha's model");
        var replies = both.Channels.Where(c => c["type"] == "reply").OrderBy(c => c["from"], StringComparer.Ordinal).ToList();
        Assert.Equal(["bravo", "charlie"], replies.Select(r => r["from"]));
        Assert.Equal(["bravo: all green", "charlie: still compiling"], replies.Select(r => r.Content));
        Assert.All(replies, r => Assert.Equal(broadcastId, r["broadcast_id"]));
        Assert.Empty(world.Api.Errors);
    }

    [ClaudeFact]
    public async Task The_rename_command_renames_the_peer_for_every_other_session()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var alpha = world.StartSession("alpha", ScriptedPeer.Brain());
        var bravo = world.StartSession("bravo", ScriptedPeer.Brain());
        await world.GreetAsync(alpha, bravo);

        await alpha.AskAsync("/relay:relay-rename zulu");

        var renamed = await world.WaitForRequestAsync(
            r => r.SessionId == alpha.SessionId && r.LastToolResults.Any(t => t.Tool == ScriptedPeer.Rename), "alpha's relay_rename result");
        Assert.Contains("<command-name>/relay:relay-rename</command-name>", renamed.AllText, StringComparison.Ordinal);
        var result = ToolJson(renamed, ScriptedPeer.Rename);
        Assert.True((bool?)result["ok"], result.ToJsonString());
        Assert.Equal("zulu", (string?)result["name"]);

        await bravo.AskAsync("relay-test peers");
        var listed = await world.WaitForRequestAsync(
            r => r.SessionId == bravo.SessionId && r.LastToolResults.Any(t => t.Tool == ScriptedPeer.Peers), "bravo's relay_peers result");
        var peers = ToolJson(listed, ScriptedPeer.Peers);
        Assert.Equal(["zulu"], peers["peers"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.Empty(world.Api.Errors);
    }

    [ClaudeFact]
    public async Task The_user_level_rename_command_install_sh_adds_works_without_the_plugin_prefix()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        // What install.sh does: the plugin's command file, copied to the user's own commands.
        var commands = Path.Combine(world.Home, ".claude", "commands");
        Directory.CreateDirectory(commands);
        File.Copy(Path.Combine(Relay.Tests.Infrastructure.RelayBinary.RepoRoot, "commands", "relay-rename.md"), Path.Combine(commands, "relay-rename.md"));
        var alpha = world.StartSession("alpha", ScriptedPeer.Brain());
        var bravo = world.StartSession("bravo", ScriptedPeer.Brain());
        await world.GreetAsync(alpha, bravo);

        await alpha.AskAsync("/relay-rename yankee");

        var renamed = await world.WaitForRequestAsync(
            r => r.SessionId == alpha.SessionId && r.LastToolResults.Any(t => t.Tool == ScriptedPeer.Rename), "alpha's relay_rename result");
        Assert.Contains("<command-name>/relay-rename</command-name>", renamed.AllText, StringComparison.Ordinal);
        var result = ToolJson(renamed, ScriptedPeer.Rename);
        Assert.True((bool?)result["ok"], result.ToJsonString());
        Assert.Equal("yankee", (string?)result["name"]);
        await bravo.AskAsync("relay-test peers");
        var listed = await world.WaitForRequestAsync(
            r => r.SessionId == bravo.SessionId && r.LastToolResults.Any(t => t.Tool == ScriptedPeer.Peers), "bravo's relay_peers result");
        Assert.Equal(["yankee"], ToolJson(listed, ScriptedPeer.Peers)["peers"]!.AsArray().Select(p => (string?)p!["name"]));
    }

    /// <summary>The JSON the latest call of a relay tool returned in the request's conversation.</summary>
    private static JsonObject ToolJson(ModelRequest request, string tool)
    {
        var result = request.AllToolResults.LastOrDefault(t => t.Tool == tool);
        Assert.True(result.Tool is not null, $"no {tool} result in request #{request.Sequence}");
        // The tool's JSON is one line; Claude Code may add other text blocks (reminders) to the same result.
        var json = result.Text.Split('\n').FirstOrDefault(line => line.StartsWith('{'));
        Assert.True(json is not null, $"{tool} returned no JSON object: {result.Text}");
        return JsonNode.Parse(json) as JsonObject ?? throw new InvalidOperationException($"{tool} returned no JSON object: {result.Text}");
    }
}
