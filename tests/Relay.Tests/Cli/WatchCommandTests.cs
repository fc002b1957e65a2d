using System.Text.Json;
using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

public sealed class WatchCommandTests
{
    private static List<JsonElement> Events(TrackedProcess watch) =>
        [.. watch.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public async Task Watch_json_prints_one_line_per_event_of_a_scripted_exchange()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var watch = sandbox.StartRelay(["watch", "--json"]);
        await WaitForObserverAsync(sandbox);

        var alice = await TestPeer.JoinAsync(sandbox, "alice");
        await using var bob = await TestPeer.JoinAsync(sandbox, "bob");
        var askId = await alice.AskAsync("bob", "hi bob");
        var ask = await bob.NextAskAsync();
        await bob.ReplyAsync(ask.AskId, "hi alice");
        await alice.NextOutcomeAsync(askId);
        await alice.DisposeAsync();

        await Poll.UntilAsync(() => Events(watch).Any(e => e.GetProperty("event").GetString() == HubEvents.PeerLeave), "the peer_leave event");
        var events = Events(watch);
        var names = events.Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Equal([HubEvents.PeerRegister, HubEvents.PeerRegister, HubEvents.Ask, HubEvents.Reply, HubEvents.PeerLeave], names);
        Assert.Equal("alice", events[0].GetProperty("name").GetString());
        Assert.Equal("alice", events[2].GetProperty("from").GetString());
        Assert.Equal("bob", events[2].GetProperty("to").GetString());
        Assert.Equal(askId, events[2].GetProperty("ask_id").GetString());
        Assert.Equal(askId, events[3].GetProperty("ask_id").GetString());
        Assert.True(events[3].GetProperty("latency_ms").GetDouble() >= 0);
        Assert.Equal("alice", events[4].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Watch_prints_readable_lines_and_exits_130_on_ctrl_c()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var watch = sandbox.StartRelay(["watch"]);
        await Poll.UntilAsync(() => watch.Stderr.Contains("watching", StringComparison.Ordinal) || watch.HasExited, "watch to start");
        await WaitForObserverAsync(sandbox);

        await using (var carol = await TestPeer.JoinAsync(sandbox, "carol"))
        {
            await Poll.UntilAsync(() => watch.Stdout.Contains("carol", StringComparison.Ordinal), "the register line");
        }

        watch.Signal(Posix.SIGINT);

        Assert.Equal(130, await watch.WaitForExitAsync());
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} peer_register +carol \(claude session\)", watch.Stdout);
    }

    [Fact]
    public async Task Watch_is_not_a_peer()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        sandbox.StartRelay(["watch"]);
        await WaitForObserverAsync(sandbox);

        var peers = await sandbox.RunAsync(["peers", "--json"]);

        Assert.Empty(peers.Json().GetProperty("peers").EnumerateArray());
    }

    [Fact]
    public async Task Watch_without_a_hub_exits_5_and_does_not_start_one()
    {
        await using var sandbox = new RelaySandbox();

        var result = await sandbox.RunAsync(["watch"]);

        Assert.Equal(5, result.ExitCode);
        Assert.StartsWith("relay: hub_unreachable: ", result.Stderr);
        Assert.False(File.Exists(sandbox.SocketPath));
    }

    /// <summary>Events are only sent once the hub counts the observer: wait for that, not for a fixed time.</summary>
    private static async Task WaitForObserverAsync(RelaySandbox sandbox)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            await using var client = await Relay.Runtime.Client.HubClient.ConnectAsync(sandbox.SocketPath);
            if (await client.RequestAsync(new HubStatusMessage()).WithTimeout() is HubStatusReplyMessage { Observers: > 0 })
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the watcher never registered as an observer");
    }
}
