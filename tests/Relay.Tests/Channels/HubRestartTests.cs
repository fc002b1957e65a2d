using System.Collections.Concurrent;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

/// <summary>
/// Asks survive a hub SIGKILL: real channels reconnect (one of them spawns the next hub), re-register under the same
/// names and re-submit what they hold; every ask ends exactly once at its asker and each target sees each ask at most
/// once. A hub kept from coming back (the data dir made group-writable, which every relay process refuses) shows the
/// in-between: replies wait in the channel, deadlines still end asks.
/// </summary>
public sealed class HubRestartTests
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(60);

    private static readonly string[] Names = ["asker1", "asker2", "target1", "target2"];

    private static readonly string[] Targets = ["target1", "target2"];

    [Fact]
    public async Task Two_hundred_asks_in_flight_when_the_hub_is_killed_each_end_exactly_once_and_no_target_sees_one_twice()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartAsync(sandbox, Names.Select(sandbox.WorkDir));
        var byName = new Dictionary<string, ChannelClient>();
        foreach (var channel in group.Channels)
        {
            byName[await channel.NameAsync()] = channel;
        }

        ChannelClient[] askers = [byName["asker1"], byName["asker2"]];
        ChannelClient[] targets = [byName["target1"], byName["target2"]];
        var sent = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Task.WhenAll(askers.Select(async asker =>
        {
            for (var i = 0; i < 50; i++)
            {
                foreach (var target in Targets)
                {
                    var result = await asker.CallAsync("relay_ask", new() { ["to"] = target, ["question"] = $"q{i} to {target}" });
                    Assert.True(result.Ok, result.Text);
                    sent[result.Str("ask_id")!] = target;
                }
            }
        }));
        Assert.Equal(200, sent.Count);

        // Each target has all 100 of its asks before the hub dies.
        var shown = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var queues = new List<List<string>>();
        foreach (var target in targets)
        {
            var ids = new List<string>();
            while (ids.Count < 100)
            {
                var message = await target.NextNotificationAsync(TimeSpan.FromSeconds(30));
                Assert.Equal("ask", message.Type);
                ids.Add(message.Get("ask_id")!);
                shown.AddOrUpdate(message.Get("ask_id")!, 1, (_, n) => n + 1);
            }

            queues.Add(ids);
        }

        // A quarter is answered before the kill, a quarter while it happens, half after it.
        async Task ReplyAsync(ChannelClient target, IEnumerable<string> ids)
        {
            foreach (var id in ids)
            {
                var result = await target.CallAsync("relay_reply", new() { ["ask_id"] = id, ["text"] = "re:" + id });
                Assert.True(result.Ok, $"relay_reply {id}: {result.Text}");
            }
        }

        await Task.WhenAll(targets.Select((t, n) => ReplyAsync(t, queues[n].Take(25))));
        var hub = await sandbox.HubPidAsync();
        Assert.NotNull(hub);
        var during = Task.WhenAll(targets.Select((t, n) => ReplyAsync(t, queues[n].Skip(25).Take(25))));
        Posix.Kill(hub.Value, Posix.SIGKILL);
        Assert.True(await Posix.WaitForExitAsync(hub.Value, TimeSpan.FromSeconds(5)));
        await during;
        await Task.WhenAll(targets.Select((t, n) => ReplyAsync(t, queues[n].Skip(50))));

        // Every ask ends exactly once, with its own reply.
        var endings = new ConcurrentDictionary<string, List<string>>(StringComparer.Ordinal);
        await Task.WhenAll(askers.Select(async asker =>
        {
            for (var n = 0; n < 100; n++)
            {
                var message = await asker.NextNotificationAsync(Recovery);
                var id = message.Get("ask_id")!;
                endings.GetOrAdd(id, _ => []).Add(message.Type == "reply" ? message.Content : $"{message.Type}:{message.Get("code")}");
            }
        }));

        Assert.Equal(sent.Keys.Order(StringComparer.Ordinal), endings.Keys.Order(StringComparer.Ordinal));
        Assert.All(endings, e => Assert.Equal(["re:" + e.Key], e.Value));

        // Nothing more arrives: no second ending at an asker, no ask shown twice at a target.
        var secondHub = await sandbox.HubPidAsync();
        Assert.NotNull(secondHub);
        Assert.NotEqual(hub, secondHub);
        await Task.Delay(TimeSpan.FromSeconds(2));
        foreach (var channel in group.Channels)
        {
            while (channel.HasPendingNotification)
            {
                var extra = await channel.NextNotificationAsync();
                if (extra.Type == "ask")
                {
                    shown.AddOrUpdate(extra.Get("ask_id")!, 1, (_, n) => n + 1);
                }
                else
                {
                    Assert.Fail($"an extra {extra.Type} for {extra.Get("ask_id")}: {extra.Content}");
                }
            }
        }

        Assert.Equal(200, shown.Count);
        Assert.All(shown, s => Assert.Equal(1, s.Value));
        Assert.Equal(Names, (await Task.WhenAll(group.Channels.Select(c => c.NameAsync()))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_reply_written_while_the_hub_is_down_reaches_the_asker_when_it_is_back()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartAsync(sandbox, [sandbox.WorkDir("alice"), sandbox.WorkDir("bob")]);
        var (alice, bob) = await Pair(group, "alice", "bob");
        var askId = await AliceAsksBobAsync(alice, bob, "still deploying?");

        await using (await KeepHubDownAsync(sandbox))
        {
            var reply = await bob.CallAsync("relay_reply", new() { ["ask_id"] = askId, ["text"] = "done at 12:00" });
            Assert.True(reply.Ok, reply.Text);
            Assert.True(reply.Json.GetProperty("queued").GetBoolean(), reply.Text);
            Assert.Contains("when it is back", reply.Str("note"), StringComparison.Ordinal);
            Assert.False(alice.HasPendingNotification);
        }

        var answer = await alice.NextNotificationAsync(Recovery);
        Assert.Equal(("reply", askId, "done at 12:00"), (answer.Type, answer.Get("ask_id"), answer.Content));
        await NothingMoreAsync(alice, bob);
    }

    [Fact]
    public async Task An_ask_whose_deadline_passes_while_the_hub_is_gone_ends_once_with_timeout()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartAsync(sandbox, [sandbox.WorkDir("alice"), sandbox.WorkDir("bob")], new Dictionary<string, string?> { ["RELAY_ASK_TIMEOUT_MS"] = "3000" });
        var (alice, bob) = await Pair(group, "alice", "bob");
        var askId = await AliceAsksBobAsync(alice, bob, "quick one?");

        await using (await KeepHubDownAsync(sandbox))
        {
            var ending = await alice.NextNotificationAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(("error", askId, "timeout"), (ending.Type, ending.Get("ask_id"), ending.Get("code")));
        }

        await ReconnectedAsync(alice, bob);
        var late = await bob.CallAsync("relay_reply", new() { ["ask_id"] = askId, ["text"] = "too late" });
        Assert.True(late.Ok || late.Code == "unknown_ask", late.Text);
        await NothingMoreAsync(alice, bob);
    }

    [Fact]
    public async Task When_no_hub_comes_back_within_the_give_up_time_pending_asks_end_once_with_hub_unreachable()
    {
        await using var sandbox = new RelaySandbox();
        var giveUp = new Dictionary<string, string?> { ["RELAY_HUB_GIVE_UP_MS"] = "3000", ["RELAY_ASK_TIMEOUT_MS"] = "600000" };
        await using var group = await ChannelGroup.StartAsync(sandbox, [sandbox.WorkDir("alice"), sandbox.WorkDir("bob")], giveUp);
        var (alice, bob) = await Pair(group, "alice", "bob");
        var askId = await AliceAsksBobAsync(alice, bob, "are you there?");

        await using (await KeepHubDownAsync(sandbox))
        {
            // Nothing ends before the give-up time (the ask's own deadline is 10 minutes away) …
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.False(alice.HasPendingNotification, "the ask ended before the give-up time");

            // … then it ends once, with hub_unreachable.
            var ending = await alice.NextNotificationAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(("error", askId, "hub_unreachable"), (ending.Type, ending.Get("ask_id"), ending.Get("code")));
        }

        // The hub comes back: the ask is not re-submitted, so the target is not shown it again and no second ending comes.
        await ReconnectedAsync(alice, bob);
        await NothingMoreAsync(alice, bob);
    }

    [Fact]
    public async Task A_relay_ask_from_a_terminal_survives_a_hub_sigkill()
    {
        await using var sandbox = new RelaySandbox();
        await using var bob = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"));
        Assert.Equal("bob", await bob.NameAsync());
        var cli = sandbox.StartRelay(["ask", "bob", "what changed?", "--timeout", "60s"]);
        var incoming = await bob.NextNotificationAsync(TimeSpan.FromSeconds(30));
        var askId = incoming.Get("ask_id")!;

        var hub = await sandbox.HubPidAsync();
        Assert.NotNull(hub);
        Posix.Kill(hub.Value, Posix.SIGKILL);
        Assert.True(await Posix.WaitForExitAsync(hub.Value, TimeSpan.FromSeconds(5)));
        var reply = await bob.CallAsync("relay_reply", new() { ["ask_id"] = askId, ["text"] = "the token shape" });
        Assert.True(reply.Ok, reply.Text);

        Assert.Equal(0, await cli.WaitForExitAsync(Recovery));
        Assert.Equal("the token shape\n", cli.Stdout);
        Assert.Contains("lost the hub", cli.Stderr, StringComparison.Ordinal);
        Assert.False(bob.HasPendingNotification, "the target was shown the ask again");
    }

    /// <summary>alice asks bob <paramref name="question"/>, and bob is shown that ask; its id.</summary>
    private static async Task<string> AliceAsksBobAsync(ChannelClient alice, ChannelClient bob, string question)
    {
        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = question });
        Assert.True(ask.Ok, ask.Text);
        var askId = ask.Str("ask_id")!;
        Assert.Equal(askId, (await bob.NextNotificationAsync()).Get("ask_id"));
        return askId;
    }

    private static async Task ReconnectedAsync(ChannelClient alice, ChannelClient bob)
    {
        await Poll.ForAsync(() => alice.CallAsync("relay_peers"), r => r.Ok, Recovery, "alice to reconnect");
        await Poll.ForAsync(() => bob.CallAsync("relay_peers"), r => r.Ok, Recovery, "bob to reconnect");
    }

    /// <summary>A second later: no second ending at the asker, and the target was not shown the ask again.</summary>
    private static async Task NothingMoreAsync(ChannelClient asker, ChannelClient target)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(asker.HasPendingNotification, "a second ending reached the asker");
        Assert.False(target.HasPendingNotification, "the target was shown the ask again");
    }

    private static async Task<(ChannelClient, ChannelClient)> Pair(ChannelGroup group, string first, string second)
    {
        var names = await Task.WhenAll(group.Channels.Select(c => c.NameAsync()));
        return (group.Channels[Array.IndexOf(names, first)], group.Channels[Array.IndexOf(names, second)]);
    }

    /// <summary>
    /// Kills the hub and keeps a new one from starting until disposed: a group-writable data dir is refused by
    /// <c>relay hub</c> (the channels' spawns exit at once), and the killed hub's socket file refuses connections.
    /// </summary>
    private static async Task<IAsyncDisposable> KeepHubDownAsync(RelaySandbox sandbox)
    {
        var hub = await sandbox.HubPidAsync();
        Assert.NotNull(hub);
        var mode = File.GetUnixFileMode(sandbox.DataDir);
        File.SetUnixFileMode(sandbox.DataDir, mode | UnixFileMode.GroupWrite);
        Posix.Kill(hub.Value, Posix.SIGKILL);
        Assert.True(await Posix.WaitForExitAsync(hub.Value, TimeSpan.FromSeconds(5)));
        return new Restore(() => File.SetUnixFileMode(sandbox.DataDir, mode));
    }

    private sealed class Restore(Action restore) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            restore();
            return ValueTask.CompletedTask;
        }
    }
}
