using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Tests.Cli;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

/// <summary>
/// Asks to a Claude Code session whose channel is briefly gone wait in the hub for its return: a restarted channel or a
/// resumed session (the same Claude session id) gets them, its replies route, and when nobody comes back in the hold
/// window each ask ends with peer_gone. Real hub, real channels (each with a Claude sessions file of its own HOME),
/// and outcomes counted per ask_id: exactly one each.
/// </summary>
public sealed class ChannelHoldTests
{
    [Fact]
    public async Task A_target_whose_channel_restarts_gets_the_asks_sent_meanwhile_and_every_ask_ends_exactly_once()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync("--hold", "60s");
        var env = SessionEnv(sandbox, "bob", "s-bob");
        await using var bob = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), env);
        Assert.Equal("bob", await bob.NameAsync());
        await using var alice = await RawHubClient.RegisterAsync(sandbox.SocketPath, "alice");
        await using var observer = await WatchAsync(sandbox);

        // a-1 reaches bob's session before its channel dies.
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q1", AskId = "a-1" });
        Assert.Equal("a-1", (await bob.NextNotificationAsync()).Get("ask_id"));
        Assert.Equal(("a-1", AskStates.Delivered), Status(await alice.NextAsync<AskStatusMessage>()));

        bob.Signal(Posix.SIGKILL);
        Assert.True(await bob.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var away = await alice.NextAsync<AskStatusMessage>(TimeSpan.FromSeconds(15));
        Assert.Equal(("a-1", AskStates.Waiting), Status(away));
        Assert.StartsWith("bob is away; held up to ", away.Detail, StringComparison.Ordinal);

        // Asked while bob is away: acked, waiting; one from a terminal too.
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q2", AskId = "a-2" });
        Assert.Equal(("a-2", AskStates.Waiting), Status(await alice.NextAsync<AskStatusMessage>()));
        var cli = sandbox.RunAsync(["ask", "bob", "q3", "--timeout", "60s"], timeout: TimeSpan.FromSeconds(90));
        var cliWaiting = await NextEventAsync(observer, e => e.Event == HubEvents.AskStatus && e.Status == AskStates.Waiting && e.From != "alice");

        // `relay peers` lists bob as away, with how long asks to it are held and how many wait.
        var peers = await sandbox.RunAsync(["peers"]);
        Assert.True(peers.ExitCode == 0, peers.ToString());
        var bobLine = peers.Stdout.Split('\n').Single(l => l.StartsWith("bob ", StringComparison.Ordinal));
        // a-1 reached bob's session and waits for its reply; a-2 and q3 are held for delivery on its return.
        Assert.Matches(@"away, waited for \d+s more, 2 asks held", bobLine);
        var status = await sandbox.RunAsync(["hub", "status"]);
        Assert.Contains("away      1 sessions (2 asks held for their return)", status.Stdout, StringComparison.Ordinal);

        // The channel comes back (same Claude session): the asks its session never had arrive, a-1 does not again.
        await using var back = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), env);
        var pushes = new[] { await back.NextNotificationAsync(), await back.NextNotificationAsync() };
        Assert.All(pushes, p => Assert.Equal("ask", p.Type));
        Assert.Equal(["q2", "q3"], pushes.Select(p => p.Content).Order(StringComparer.Ordinal));
        Assert.Equal(cliWaiting.AskId, pushes.Single(p => p.Content == "q3").Get("ask_id"));

        foreach (var askId in new[] { "a-1", "a-2", cliWaiting.AskId! })
        {
            var reply = await back.CallAsync("relay_reply", new() { ["ask_id"] = askId, ["text"] = "answer " + askId });
            Assert.True(reply.Ok, reply.Text);
        }

        var endings = await EndingsAsync(alice, 2);
        Assert.Equal(["a-1", "a-2"], endings.Keys.Order(StringComparer.Ordinal));
        Assert.All(endings, e => Assert.Equal("answer " + e.Key, Assert.IsType<IncomingReplyMessage>(e.Value).Text));
        await alice.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(300));

        var result = await cli;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("answer " + cliWaiting.AskId + "\n", result.Stdout);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("relay: waiting: bob is away; held up to ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("; delivered if it comes back", lines[1], StringComparison.Ordinal);
        Assert.Contains("relay: delivered to bob's session (channel)", lines, StringComparer.Ordinal);
        Assert.False(back.HasPendingNotification);
    }

    [Fact]
    public async Task A_resumed_session_under_another_name_gets_the_held_asks_and_answers_one_its_old_channel_had()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync("--hold", "60s");
        await using var carol = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("carol"));
        await using var bob = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), SessionEnv(sandbox, "bob", "s-resume"));
        Assert.Equal("bob", await bob.NameAsync());
        await using var observer = await WatchAsync(sandbox);

        var first = await carol.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "q1" });
        Assert.True(first.Ok, first.Text);
        var firstId = first.Str("ask_id")!;
        Assert.Equal(firstId, (await bob.NextNotificationAsync()).Get("ask_id"));
        await NextEventAsync(observer, e => e.Event == HubEvents.AskStatus && e.AskId == firstId && e.Status == AskStates.Delivered);

        // The Claude session exits (the channel's stdin closes); carol's model hears the ask waits.
        bob.CloseStdin();
        Assert.True(await bob.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var waiting = await carol.NextNotificationAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(("status", AskStates.Waiting, firstId, "bob"), (waiting.Type, waiting.Get("code"), waiting.Get("ask_id"), waiting.Get("to")));
        Assert.Contains("bob is away", waiting.Content, StringComparison.Ordinal);
        var second = await carol.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "q2" });
        Assert.True(second.Ok, second.Text);
        var secondId = second.Str("ask_id")!;
        var secondWaiting = await carol.NextNotificationAsync();
        Assert.Equal((AskStates.Waiting, secondId), (secondWaiting.Get("code"), secondWaiting.Get("ask_id")));

        // `claude --resume`: another process, the same session id, and a name the user gave it.
        await using var resumed = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), SessionEnv(sandbox, "resumed", "s-resume", name: "bobby"));
        var held = await resumed.NextNotificationAsync();
        Assert.Equal(("ask", "q2", secondId, "carol"), (held.Type, held.Content, held.Get("ask_id"), held.Get("from")));
        Assert.Equal("bobby", await resumed.NameAsync());

        Assert.True((await resumed.CallAsync("relay_reply", new() { ["ask_id"] = firstId, ["text"] = "one" })).Ok);
        Assert.True((await resumed.CallAsync("relay_reply", new() { ["ask_id"] = secondId, ["text"] = "two" })).Ok);
        var replies = new[] { await carol.NextNotificationAsync(), await carol.NextNotificationAsync() };
        Assert.Equal(new[] { (firstId, "one"), (secondId, "two") }.Order(), replies.Select(r => (r.Get("ask_id")!, r.Content)).Order());
        Assert.All(replies, r => Assert.Equal(("reply", "bobby"), (r.Type, r.Get("from"))));
        await Task.Delay(300);
        Assert.False(carol.HasPendingNotification);
        Assert.False(resumed.HasPendingNotification);
    }

    [Fact]
    public async Task When_the_hold_window_ends_without_a_return_each_waiting_ask_ends_with_peer_gone_saying_it_was_held()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync("--hold", "2s");
        await using var bob = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), SessionEnv(sandbox, "bob", "s-gone"));
        Assert.Equal("bob", await bob.NameAsync());
        await using var alice = await RawHubClient.RegisterAsync(sandbox.SocketPath, "alice");

        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q1", AskId = "a-1" });
        await bob.NextNotificationAsync();
        Assert.Equal(("a-1", AskStates.Delivered), Status(await alice.NextAsync<AskStatusMessage>()));
        bob.Signal(Posix.SIGKILL);
        var waiting = await alice.NextAsync<AskStatusMessage>(TimeSpan.FromSeconds(15));
        Assert.Equal(("a-1", AskStates.Waiting, "bob is away; held up to 2s"), (waiting.AskId, waiting.Status, waiting.Detail));
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q2", AskId = "a-2" });

        var endings = await EndingsAsync(alice, 2, TimeSpan.FromSeconds(20));
        Assert.Equal(["a-1", "a-2"], endings.Keys.Order(StringComparer.Ordinal));
        foreach (var ending in endings.Values)
        {
            var err = Assert.IsType<ErrMessage>(ending);
            Assert.Equal((ErrorCodes.PeerGone, "bob"), (err.Code, err.To));
            Assert.Equal("bob left and did not come back; the ask was held for it for 2s", err.Message);
        }

        await alice.RequestErrAsync(new AskMessage { To = "bob", Question = "q3", AskId = "a-3" }, ErrorCodes.PeerNotFound);
    }

    [Fact]
    public async Task An_ask_over_the_hold_bound_is_refused_with_hold_full_exit_15_and_what_was_held_is_still_delivered()
    {
        await using var sandbox = new RelaySandbox();
        sandbox.Env[Relay.Hub.HubOptions.HoldMaxAsksVariable] = "1";
        await sandbox.StartHubAsync("--hold", "60s");
        var env = SessionEnv(sandbox, "bob", "s-full");
        await using var bob = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), env);
        Assert.Equal("bob", await bob.NameAsync());
        await using var alice = await RawHubClient.RegisterAsync(sandbox.SocketPath, "alice");
        bob.Signal(Posix.SIGKILL);
        Assert.True(await bob.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        // Until the hub has seen bob go: then list_peers shows it away (with its hold deadline), no longer live.
        while (!(await AwayPeersAsync(alice)).Contains("bob"))
        {
            await Task.Delay(25);
        }

        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q1", AskId = "a-1" });
        Assert.Equal(("a-1", AskStates.Waiting), Status(await alice.NextAsync<AskStatusMessage>()));
        var full = await alice.RequestErrAsync(new AskMessage { To = "bob", Question = "q2", AskId = "a-2" }, ErrorCodes.HoldFull);
        Assert.Equal(("a-2", "bob"), (full.AskId, full.To));
        Assert.Contains("nothing was kept", full.Message, StringComparison.Ordinal);

        var cli = await sandbox.RunAsync(["ask", "bob", "q3"]);
        Assert.True(cli.ExitCode == 15, cli.ToString());
        Assert.StartsWith("relay: hold_full: ", cli.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], StringComparison.Ordinal);

        await using var back = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), env);
        var held = await back.NextNotificationAsync();
        Assert.Equal(("q1", "a-1"), (held.Content, held.Get("ask_id")));
        Assert.True((await back.CallAsync("relay_reply", new() { ["ask_id"] = "a-1", ["text"] = "kept" })).Ok);
        Assert.Equal("kept", Assert.IsType<IncomingReplyMessage>(Assert.Single(await EndingsAsync(alice, 1)).Value).Text);
        await alice.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(300));
        Assert.False(back.HasPendingNotification);
    }

    [Fact]
    public async Task An_asker_whose_channel_restarts_gets_the_reply_that_came_while_it_was_gone_once()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync("--hold", "60s");
        var env = SessionEnv(sandbox, "alice", "s-alice");
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"), env);
        Assert.Equal("alice", await alice.NameAsync());
        await using var bob = await RawHubClient.RegisterAsync(sandbox.SocketPath, "bob");
        await using var observer = await WatchAsync(sandbox);

        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "is the schema frozen?" });
        Assert.True(ask.Ok, ask.Text);
        var askId = ask.Str("ask_id")!;
        Assert.Equal(askId, (await bob.NextAsync<IncomingAskMessage>()).AskId);

        // The asker's channel dies while it waits; the reply comes while it is gone and is kept for it.
        alice.Signal(Posix.SIGKILL);
        Assert.True(await alice.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await NextEventAsync(observer, e => e.Event == HubEvents.PeerLeave && e.Name == "alice");
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = askId, Text = "yes, frozen" });

        // The channel comes back for the same Claude session: the reply reaches its model, once.
        await using var back = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"), env);
        var reply = await back.NextNotificationAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(("reply", askId, "bob", "yes, frozen"), (reply.Type, reply.Get("ask_id"), reply.Get("from"), reply.Content));
        var again = await bob.RequestAsync<ErrMessage>(new ReplyMessage { AskId = askId, Text = "twice?" });
        Assert.Equal(ErrorCodes.UnknownAsk, again.Code);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(back.HasPendingNotification);
    }

    /// <summary>A HOME whose Claude sessions file (for this test process, the channel's parent) names <paramref name="sessionId"/>.</summary>
    private static Dictionary<string, string?> SessionEnv(RelaySandbox sandbox, string who, string sessionId, string? name = null)
    {
        var home = Path.Combine(sandbox.Root, "home-" + who);
        var sessions = Path.Combine(home, ".claude", "sessions");
        Directory.CreateDirectory(sessions);
        var named = name is null ? "" : $",\"name\":\"{name}\"";
        File.WriteAllText(
            Path.Combine(sessions, Environment.ProcessId + ".json"),
            $$"""{"pid":{{Environment.ProcessId}},"sessionId":"{{sessionId}}","cwd":"/tmp","startedAt":1,"kind":"interactive","entrypoint":"cli"{{named}},"status":"idle"}""");
        return new Dictionary<string, string?> { ["HOME"] = home };
    }

    private static (string, string) Status(AskStatusMessage status) => (status.AskId, status.Status);

    private static async Task<RawHubClient> WatchAsync(RelaySandbox sandbox)
    {
        var observer = await RawHubClient.ConnectAsync(sandbox.SocketPath);
        await observer.RequestAsync<AckMessage>(new WatchMessage { ProtocolVersion = ProtocolVersion.Current });
        return observer;
    }

    private static async Task<HubEventMessage> NextEventAsync(RawHubClient observer, Func<HubEventMessage, bool> match)
    {
        while (true)
        {
            if (await observer.NextAsync(TimeSpan.FromSeconds(30)) is HubEventMessage e && match(e))
            {
                return e;
            }
        }
    }

    private static async Task<List<string>> AwayPeersAsync(RawHubClient client) =>
        [.. (await client.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers.Where(p => p.AwayUntil is not null).Select(p => p.Name)];

    /// <summary>
    /// Reads <paramref name="asker"/>'s lines until <paramref name="count"/> asks have ended (a reply or an ask-ending
    /// err), skipping progress; fails on a second ending for one ask.
    /// </summary>
    private static async Task<Dictionary<string, ServerMessage>> EndingsAsync(RawHubClient asker, int count, TimeSpan? wait = null)
    {
        var endings = new Dictionary<string, ServerMessage>(StringComparer.Ordinal);
        while (endings.Count < count)
        {
            var message = await asker.NextAsync(wait ?? TimeSpan.FromSeconds(15));
            var askId = message switch
            {
                IncomingReplyMessage reply => reply.AskId,
                ErrMessage { ReqId: null, AskId: { } id } => id,
                _ => null,
            };
            if (askId is not null)
            {
                Assert.True(endings.TryAdd(askId, message), $"a second ending for {askId}");
            }
        }

        return endings;
    }
}
