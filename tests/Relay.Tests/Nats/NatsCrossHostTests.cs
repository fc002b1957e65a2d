using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Nats;

/// <summary>
/// Two hosts (network namespaces) whose hubs meet on a real nats-server: presence, asks and replies across hosts,
/// ambiguity, and a host cut off the network (peer_gone within the presence bound, back again afterwards).
/// </summary>
public sealed class NatsCrossHostTests
{
    private static readonly TimeSpan Wait = CrossHostWorld.Wait;

    [NetLabFact]
    public async Task AskAndReplyCrossHostsAndListPeersShowsTheRemoteHost()
    {
        await using var world = await CrossHostWorld.StartAsync();
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");

        var seen = await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");
        Assert.Equal("cli", seen!.Kind);
        Assert.Equal("/tmp/bob", seen.Cwd);
        var own = (await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers.Single(p => p.Name == "alice");
        Assert.Equal("ha", own.Host);

        // hb's observer (what `relay watch` shows) names the remote asker with its host.
        var observer = await RawHubClient.ConnectAsync(world.B.Sandbox.SocketPath);
        await using var observing = observer;
        await observer.RequestAsync<AckMessage>(new WatchMessage { ProtocolVersion = ProtocolVersion.Current });

        // name@host
        var ack = await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "token shape?", AskId = "a-1", ThreadId = "t-1" });
        Assert.Equal("a-1", ack.AskId);
        var incoming = await bob.NextAsync<IncomingAskMessage>(Wait);
        Assert.Equal("alice@ha", incoming.From);
        Assert.Equal("token shape?", incoming.Question);
        Assert.Equal("t-1", incoming.ThreadId);
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = incoming.AskId, Text = "exp is in seconds" });
        var reply = await alice.NextAsync<IncomingReplyMessage>(Wait);
        Assert.Equal("a-1", reply.AskId);
        Assert.Equal("bob@hb", reply.From);
        Assert.Equal("exp is in seconds", reply.Text);
        var watched = new List<HubEventMessage>();
        while (!watched.Any(e => e.Event == "reply"))
        {
            if (await observer.NextAsync(Wait) is HubEventMessage e && e.AskId == incoming.AskId)
            {
                watched.Add(e);
            }
        }

        Assert.Contains(watched, e => e.Event == "ask" && e.From == "alice@ha" && e.To == "bob");
        Assert.Contains(watched, e => e.Event == "reply" && e.From == "bob" && e.To == "alice@ha");

        // A plain name works while it is unambiguous, and the other way round too.
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "again?", AskId = "a-2" });
        var second = await bob.NextAsync<IncomingAskMessage>(Wait);
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = second.AskId, Text = "yes" });
        Assert.Equal("yes", (await alice.NextAsync<IncomingReplyMessage>(Wait)).Text);

        await CrossHostWorld.WaitForPeerAsync(bob, "alice", "ha");
        await bob.RequestAsync<AckMessage>(new AskMessage { To = "alice@ha", Question = "and you?", AskId = "b-1" });
        var back = await alice.NextAsync<IncomingAskMessage>(Wait);
        Assert.Equal("bob@hb", back.From);
        await alice.RequestAsync<AckMessage>(new ReplyMessage { AskId = back.AskId, Text = "fine" });
        Assert.Equal("fine", (await bob.NextAsync<IncomingReplyMessage>(Wait)).Text);
    }

    [NetLabFact]
    public async Task APlainNameOnTwoHostsIsAmbiguousAndNamesTheCandidates()
    {
        await using var world = await CrossHostWorld.StartAsync();
        var alice = await world.PeerAsync(world.A, "alice");
        await world.PeerAsync(world.A, "api");
        await world.PeerAsync(world.B, "api");
        await CrossHostWorld.WaitForPeerAsync(alice, "api", "hb");

        var err = await alice.RequestErrAsync(new AskMessage { To = "api", Question = "which?", AskId = "a-1" }, ErrorCodes.PeerAmbiguous);
        Assert.Contains("api@ha, api@hb", err.Message, StringComparison.Ordinal);
        Assert.Equal("a-1", err.AskId);

        // Each is still reachable by address; this host's own name addresses the local one.
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "api@ha", Question = "local?", AskId = "a-2" });
        await alice.RequestErrAsync(new AskMessage { To = "nobody@hb", Question = "?", AskId = "a-3" }, ErrorCodes.PeerNotFound);
    }

    [NetLabFact]
    public async Task AHostCutOffLosesItsPeersWithPeerGoneAndComesBack()
    {
        await using var world = await CrossHostWorld.StartAsync();
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");

        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "still there?", AskId = "a-1", TimeoutMs = 600_000 });
        await bob.NextAsync<IncomingAskMessage>(Wait);

        await NetLab.SetLinkAsync(world.B.Namespace, up: false);
        // Bound: the presence TTL plus a sweep (a quarter of it); the wait is far longer only for a loaded machine.
        var gone = await alice.NextErrAsync(ErrorCodes.PeerGone, Wait);
        Assert.Equal("a-1", gone.AskId);
        Assert.Equal("bob@hb", gone.To);
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb", present: false);

        // Local routing on the cut-off host goes on.
        var bea = await world.PeerAsync(world.B, "bea");
        await bea.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "local?", AskId = "l-1" });
        var local = await bob.NextAsync<IncomingAskMessage>(Wait);
        Assert.Equal("bea", local.From);

        await NetLab.SetLinkAsync(world.B.Namespace, up: true);
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "back?", AskId = "a-2", TimeoutMs = 600_000 });
        var again = await bob.NextAsync<IncomingAskMessage>(TimeSpan.FromSeconds(90));
        Assert.Equal("back?", again.Question);
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = again.AskId, Text = "back" });
        Assert.Equal("back", (await alice.NextAsync<IncomingReplyMessage>(TimeSpan.FromSeconds(90))).Text);
    }

    [NetLabFact]
    public async Task AnAskSentWhileTheTargetHostIsBrieflyAwayIsDeliveredWhenItReturns()
    {
        await using var world = await CrossHostWorld.StartAsync();
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");

        // Shorter than the presence TTL: bob stays listed, the ask waits in hb's durable inbox.
        await NetLab.SetLinkAsync(world.B.Namespace, up: false);
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "held?", AskId = "a-1", TimeoutMs = 600_000 });
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await NetLab.SetLinkAsync(world.B.Namespace, up: true);

        var held = await bob.NextAsync<IncomingAskMessage>(TimeSpan.FromSeconds(90));
        Assert.Equal("held?", held.Question);
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = held.AskId, Text = "got it" });
        Assert.Equal("got it", (await alice.NextAsync<IncomingReplyMessage>(TimeSpan.FromSeconds(90))).Text);
    }

    // Once a known failure: losing a node made every heartbeat fail for seconds while the cluster elected new
    // leaders, the remote peer's presence expired and its ask ended peer_gone. PresenceLiveness now expires nobody
    // while this hub cannot hear its own heartbeat either.
    [NetLabFact]
    public async Task KillingOneNodeOfAThreeNodeClusterMidTrafficLosesNoAsk()
    {
        await using var world = await CrossHostWorld.StartAsync(clusterNodes: 3);
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");

        // bob answers everything he is asked, whatever happens to the cluster.
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await bob.NextAsync(TimeSpan.FromMinutes(5)) is IncomingAskMessage ask)
                {
                    await bob.SendAsync(new ReplyMessage { AskId = ask.AskId, Text = "re " + ask.Question });
                }
            }
        });

        const int Asks = 20;
        var answers = new Dictionary<string, string>();
        for (var i = 1; i <= Asks; i++)
        {
            if (i == 6)
            {
                world.Servers[0].Signal(Posix.SIGKILL);
            }

            await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "n" + i, AskId = "a-" + i, TimeoutMs = 600_000 });
            while (!answers.ContainsKey("a-" + i))
            {
                var next = await alice.NextReceivedAsync(TimeSpan.FromSeconds(120));
                var reply = next.Message as IncomingReplyMessage ?? throw new Xunit.Sdk.XunitException("ask a-" + i + ": expected its reply, got " + next.Raw);
                answers[reply.AskId] = reply.Text;
            }
        }

        await stop.CancelAsync();
        Assert.Equal(Asks, answers.Count);
        Assert.All(Enumerable.Range(1, Asks), i => Assert.Equal("re n" + i, answers["a-" + i]));
    }
}
