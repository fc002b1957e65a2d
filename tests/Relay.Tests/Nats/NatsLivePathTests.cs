using Relay.Protocol.Messages;
using Relay.Tests.Cli;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Nats;

/// <summary>
/// The two ways an envelope crosses hosts: live (a core NATS message the other hub acknowledges once it has it) and,
/// when that hub does not acknowledge in time or does not listen, the space's stream. Each ask reaches its peer once
/// whichever way, or both ways, it came.
/// </summary>
public sealed class NatsLivePathTests
{
    private static readonly TimeSpan Wait = CrossHostWorld.Wait;

    private static async Task<IncomingAskMessage> AskAsync(RawHubClient asker, RawHubClient target, string to, string askId)
    {
        await asker.RequestAsync<AckMessage>(new AskMessage { To = to, Question = "q " + askId, AskId = askId });
        var incoming = await target.NextAsync<IncomingAskMessage>(Wait);
        Assert.Equal(askId, incoming.AskId);
        return incoming;
    }

    private static async Task ReplyAsync(RawHubClient target, RawHubClient asker, string askId)
    {
        await target.RequestAsync<AckMessage>(new ReplyMessage { AskId = askId, Text = "re " + askId });
        var reply = await asker.NextAsync<IncomingReplyMessage>(Wait);
        Assert.Equal((askId, "re " + askId), (reply.AskId, reply.Text));
    }

    /// <summary>Waits until <paramref name="host"/>'s hub counts exactly these envelopes sent (an acknowledgement can trail the message it acknowledges).</summary>
    internal static async Task SentAsync(CrossHostWorld.Host host, long live, long durable)
    {
        NatsStatusInfo? last = null;
        try
        {
            await Poll.UntilAsync(async () => (last = await CrossHostWorld.NatsStatusAsync(host)) is { } s && s.SentLive == live && s.SentDurable == durable, $"{host.Name} to count {live} live, {durable} stored", TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException) when (last is not null)
        {
            throw new Xunit.Sdk.XunitException($"{host.Name} sent {last.SentLive} live and {last.SentDurable} through the stream, expected {live} and {durable}");
        }
    }

    [NetLabFact]
    public async Task AnAskToAHubThatStalledGoesThroughTheStreamTooAndReachesItsPeerOnce()
    {
        await using var world = await CrossHostWorld.StartAsync(hubEnv: new Dictionary<string, string?> { ["RELAY_LOG_LEVEL"] = "debug" });
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");

        // Both hubs listening: the ask and the reply go live, nothing is stored.
        await AskAsync(alice, bob, "bob@hb", "a-1");
        await ReplyAsync(bob, alice, "a-1");
        await SentAsync(world.A, live: 1, durable: 0);
        await SentAsync(world.B, live: 1, durable: 0);
        Assert.Equal((1000L, false), ((await CrossHostWorld.NatsStatusAsync(world.A)).LiveTimeoutMs, (await CrossHostWorld.NatsStatusAsync(world.A)).LiveRefused));

        // hb stalls (stopped, its connection open): it cannot acknowledge the live envelope, so ha also puts the ask in
        // the stream and counts hb as stalled. The next ask is ha's one live probe; the one after it goes straight to
        // the stream. When hb resumes it has asks twice, live and from the stream, and bob is shown each once.
        Assert.True(Posix.Kill(world.B.Hub.Pid, Posix.SIGSTOP));
        try
        {
            await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "q a-2", AskId = "a-2" });
            await Poll.UntilAsync(async () => (await CrossHostWorld.NatsStatusAsync(world.A)).SentDurable == 1, "ha to put the ask in the stream", Wait);
            await CrossHostWorld.WaitForLogAsync(world.A, "nats_live_stalled");
            await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "q a-3", AskId = "a-3" });
            await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "q a-4", AskId = "a-4" });
            await Poll.UntilAsync(async () => (await CrossHostWorld.NatsStatusAsync(world.A)).SentDurable == 3, "ha to put the probe and the ask after it in the stream", Wait);
        }
        finally
        {
            Posix.Kill(world.B.Hub.Pid, Posix.SIGCONT);
        }

        var seen = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var incoming = await bob.NextAsync<IncomingAskMessage>(Wait);
            Assert.Equal("alice@ha", incoming.From);
            seen.Add(incoming.AskId);
        }

        Assert.Equal(["a-2", "a-3", "a-4"], seen.Order(StringComparer.Ordinal));
        await CrossHostWorld.WaitForLogAsync(world.B, "nats_ask_again");
        await bob.ExpectNoMessageAsync(TimeSpan.FromSeconds(2));
        foreach (var askId in seen)
        {
            await ReplyAsync(bob, alice, askId);
        }

        // hb acknowledged what it had taken live once it resumed: it is no longer stalled, and asks go live again.
        await CrossHostWorld.WaitForLogAsync(world.A, "nats_live_back");
        await AskAsync(alice, bob, "bob@hb", "a-5");
        await ReplyAsync(bob, alice, "a-5");
        await alice.ExpectNoMessageAsync(TimeSpan.FromSeconds(2));
        await SentAsync(world.A, live: 2, durable: 3);
    }

    [NetLabFact]
    public async Task AnAskToAHostWhoseHubIsGoneGoesToTheStreamWithoutWaitingForTheLiveTimeout()
    {
        // A live timeout far longer than the test waits: only NATS's "no responders" can send the ask to the stream in time.
        await using var world = await CrossHostWorld.StartAsync(hubEnv: new Dictionary<string, string?> { ["RELAY_NATS_LIVE_TIMEOUT_MS"] = "60000" });
        var alice = await world.PeerAsync(world.A, "alice");
        await world.PeerAsync(world.B, "bob");
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");

        Assert.False(await world.NobodyListensAsync(world.A, "ha", "relay-live.test.hb.probe.ha"));

        // hb's hub dies: bob stays listed until his presence expires, and (once the server has seen the connection
        // close) nothing listens on hb's live subjects.
        Assert.True(Posix.Kill(world.B.Hub.Pid, Posix.SIGKILL));
        await world.B.Hub.WaitForExitAsync(Wait);
        await Poll.UntilAsync(() => world.NobodyListensAsync(world.A, "ha", "relay-live.test.hb.probe.ha"), "the server to drop hb's live subscription", TimeSpan.FromSeconds(10));
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "anyone?", AskId = "a-1", TimeoutMs = 600_000 });
        await Poll.UntilAsync(async () => (await CrossHostWorld.NatsStatusAsync(world.A)).SentDurable == 1, "ha to put the ask in the stream", TimeSpan.FromSeconds(20));
        Assert.Equal(0, (await CrossHostWorld.NatsStatusAsync(world.A)).SentLive);
    }

    [NetLabFact]
    public async Task WithTheLiveTimeoutAtZeroEverythingGoesThroughTheStream()
    {
        await using var world = await CrossHostWorld.StartAsync(hubEnv: new Dictionary<string, string?> { ["RELAY_NATS_LIVE_TIMEOUT_MS"] = "0" });
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");

        await AskAsync(alice, bob, "bob@hb", "a-1");
        await ReplyAsync(bob, alice, "a-1");
        await SentAsync(world.A, live: 0, durable: 1);
        Assert.Equal(0L, (await CrossHostWorld.NatsStatusAsync(world.A)).LiveTimeoutMs);
        var status = await world.A.Sandbox.RunAsync(["hub", "status"]);
        Assert.Contains("sent 0 live, 1 through the stream (live off)", status.Stdout, StringComparison.Ordinal);
    }
}
