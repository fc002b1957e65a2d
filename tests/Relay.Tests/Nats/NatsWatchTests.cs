using Relay.Protocol.Messages;
using Relay.Runtime.Client;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Nats;

/// <summary><c>relay watch</c> on one host shows the traffic of peers of another host under their <c>name@host</c>.</summary>
public sealed class NatsWatchTests
{
    [NetLabFact]
    public async Task WatchOnHostANamesTheRemoteAskerWithItsHost()
    {
        await using var world = await CrossHostWorld.StartAsync();
        var alice = await world.PeerAsync(world.A, "alice");
        var z = await world.PeerAsync(world.B, "z");
        await CrossHostWorld.WaitForPeerAsync(z, "alice", "ha");

        // The real command, on host A's data dir (its hub socket), as a user would run it there.
        var watch = world.A.Sandbox.StartRelay(["watch"]);
        await Poll.UntilAsync(() => watch.Stderr.Contains("watching the hub at", StringComparison.Ordinal) || watch.HasExited, "watch to start", CrossHostWorld.Wait);
        await Poll.UntilAsync(async () => await ObserversAsync(world.A) > 0, "the watcher to be counted as an observer", CrossHostWorld.Wait);

        await z.RequestAsync<AckMessage>(new AskMessage { To = "alice@ha", Question = "from afar?", AskId = "z-1", ThreadId = "t-z" });
        var asked = await alice.NextAsync<IncomingAskMessage>(CrossHostWorld.Wait);
        Assert.Equal("z@hb", asked.From);
        await alice.RequestAsync<AckMessage>(new ReplyMessage { AskId = asked.AskId, Text = "from here" });
        Assert.Equal("from here", (await z.NextAsync<IncomingReplyMessage>(CrossHostWorld.Wait)).Text);

        var replyLine = $@"(?m)^\d\d:\d\d:\d\d\.\d{{3}} reply +alice -> z@hb .*ask_id={asked.AskId}\b.*latency=[0-9.]+ms$";
        await Poll.UntilAsync(() => System.Text.RegularExpressions.Regex.IsMatch(watch.Stdout, replyLine) || watch.HasExited, "the reply line", CrossHostWorld.Wait);
        Assert.Matches($@"(?m)^\d\d:\d\d:\d\d\.\d{{3}} ask +z@hb -> alice .*ask_id={asked.AskId} thread=t-z", watch.Stdout);
        Assert.Matches(replyLine, watch.Stdout);
        // Peer text is never shown.
        Assert.DoesNotContain("from afar?", watch.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("from here", watch.Stdout, StringComparison.Ordinal);

        watch.Signal(Posix.SIGINT);
        Assert.Equal(130, await watch.WaitForExitAsync(CrossHostWorld.Wait));
    }

    private static async Task<int> ObserversAsync(CrossHostWorld.Host host)
    {
        await using var client = await HubClient.ConnectAsync(host.Sandbox.SocketPath);
        return await client.RequestAsync(new HubStatusMessage()).WithTimeout() is HubStatusReplyMessage status ? status.Observers : 0;
    }
}
