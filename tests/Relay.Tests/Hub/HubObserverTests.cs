using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary><c>watch</c> connections: read-only observers that receive events and are not peers.</summary>
public sealed class HubObserverTests
{
    [Fact]
    public async Task An_observer_receives_an_event_for_each_thing_that_happens_in_order()
    {
        // Hold 0: bob (a channel) leaving ends its asks at once; RouterHoldTests has the waiting events.
        await using var world = await HubWorld.StartAsync(new Dictionary<string, string?> { [Relay.Hub.HubOptions.HoldVariable] = "0" });
        var observer = await world.ConnectAsync();
        var ack = await observer.RequestAsync<AckMessage>(new WatchMessage { ProtocolVersion = ProtocolVersion.Current });
        Assert.Equal(world.Hub.Pid, ack.HubPid);

        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob", kind: "claude");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "secret question", AskId = "a-1" });
        await bob.NextAsync<IncomingAskMessage>();
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "secret answer" });
        await alice.NextAsync<IncomingReplyMessage>();
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-2", TimeoutMs = 50 });
        await alice.NextErrAsync(ErrorCodes.Timeout);
        await bob.NextAsync<IncomingAskMessage>();
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-3" });
        var broadcast = await alice.RequestAsync<BroadcastAckMessage>(new BroadcastMessage { Question = "all?" });
        await bob.NextAsync<IncomingAskMessage>();
        await bob.NextAsync<IncomingAskMessage>();
        await bob.RequestAsync<AckMessage>(new RenameMessage { Name = "robert" });
        bob.Close();

        var events = new List<(HubEventMessage Event, string Raw)>();
        while (events.Count < 10)
        {
            var received = await observer.NextReceivedAsync();
            events.Add((Assert.IsType<HubEventMessage>(received.Message), received.Raw));
        }

        Assert.Equal(
            [HubEvents.PeerRegister, HubEvents.PeerRegister, HubEvents.Ask, HubEvents.Reply, HubEvents.Ask, HubEvents.Timeout, HubEvents.Ask, HubEvents.Broadcast, HubEvents.PeerRename, HubEvents.PeerGone],
            events.Select(e => e.Event.Event));
        Assert.Equal(("alice", "cli"), (events[0].Event.Name, events[0].Event.Kind));
        Assert.Equal(("alice", "bob", "a-1"), (events[2].Event.From, events[2].Event.To, events[2].Event.AskId));
        Assert.Equal(("bob", "alice", "a-1"), (events[3].Event.From, events[3].Event.To, events[3].Event.AskId));
        Assert.NotNull(events[3].Event.LatencyMs);
        Assert.Equal((broadcast.BroadcastId, 1), (events[7].Event.BroadcastId, events[7].Event.PeerCount));
        Assert.Equal(("robert", "bob"), (events[8].Event.Name, events[8].Event.OldName));
        Assert.All(events, e => Assert.DoesNotContain("secret", e.Raw, StringComparison.Ordinal));
        // The departing target took two pending asks with it (a-3 and the broadcast's); then it left.
        var rest = new List<string> { events[9].Event.Event };
        while (rest.Count < 3)
        {
            rest.Add((await observer.NextAsync<HubEventMessage>()).Event);
        }

        Assert.Equal([HubEvents.PeerGone, HubEvents.PeerGone, HubEvents.PeerLeave], rest);
    }

    [Fact]
    public async Task An_observer_is_not_a_peer_cannot_be_asked_and_cannot_send_requests()
    {
        await using var world = await HubWorld.StartAsync();
        var observer = await world.ConnectAsync();
        await observer.RequestAsync<AckMessage>(new WatchMessage { ProtocolVersion = ProtocolVersion.Current });
        var alice = await world.PeerAsync("alice");

        Assert.Equal(["alice"], (await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers.Select(p => p.Name));
        var broadcast = await alice.RequestAsync<BroadcastAckMessage>(new BroadcastMessage { Question = "anyone?" });
        Assert.Equal(0, broadcast.PeerCount);

        await observer.NextAsync<HubEventMessage>(); // peer_register
        await observer.NextAsync<HubEventMessage>(); // broadcast
        await observer.RequestErrAsync(new AskMessage { To = "alice", Question = "q", AskId = "o-1" }, ErrorCodes.NotRegistered);
        await observer.RequestErrAsync(new ListPeersMessage(), ErrorCodes.NotRegistered);
        await observer.RequestErrAsync(new RegisterMessage { Name = "sneaky", ProtocolVersion = ProtocolVersion.Current }, ErrorCodes.AlreadyRegistered);
        await observer.RequestErrAsync(new WatchMessage { ProtocolVersion = ProtocolVersion.Current }, ErrorCodes.AlreadyRegistered);
        await alice.RequestErrAsync(new WatchMessage { ProtocolVersion = ProtocolVersion.Current }, ErrorCodes.AlreadyRegistered);
        Assert.Equal(1, (await observer.RequestAsync<HubStatusReplyMessage>(new HubStatusMessage())).Observers);
    }
}
