using Relay.Hub.Nats;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>The router's cross-host rules (peers of other hosts, stand-in askers), with a fake bridge and clock.</summary>
public sealed class RouterRemoteTests
{
    private static PresenceRecord Bob(string host = "there") => new() { Name = "bob", Host = host, Kind = PeerKinds.Cli, Cwd = "/src/bob" };

    [Fact]
    public void An_ask_to_a_remote_peer_goes_to_its_host_and_ends_exactly_once()
    {
        using var world = new RouterWorld("here");
        var sender = new FakeBridgeSender("here");
        world.Router.UpsertRemote(Bob(), sender);
        var alice = world.Register("alice");

        world.Send(alice, new AskMessage { To = "bob@there", Question = "q?", AskId = "a-1", ThreadId = "t-1" });
        Assert.Equal("a-1", alice.Single<AckMessage>().AskId);
        var (host, ask) = Assert.Single(sender.Drain());
        Assert.Equal(("there", BridgeEnvelope.AskType, "alice", "bob", "bob@there", "q?", "t-1"), (host, ask.Type, ask.From, ask.To, ask.Target, ask.Question, ask.ThreadId));

        world.Router.RemoteAnswer("bob@there", new ReceiptMessage { AskId = "a-1", Status = AskStates.Delivered });
        Assert.Equal(AskStates.Delivered, alice.Single<AskStatusMessage>().Status);
        world.Router.RemoteAnswer("bob@there", new ReplyMessage { AskId = "a-1", Text = "yes" });
        var reply = alice.Single<IncomingReplyMessage>();
        Assert.Equal(("a-1", "bob@there", "yes"), (reply.AskId, reply.From, reply.Text));

        // Anything later about the same ask changes nothing.
        world.Router.EndRemoteAsk("bob@there", "a-1", ErrorCodes.Timeout, "late");
        world.Router.RemoteAnswer("bob@there", new ReplyMessage { AskId = "a-1", Text = "again" });
        world.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(alice.Drain());
        Assert.Empty(sender.Sent);
    }

    [Fact]
    public void A_remote_ending_a_local_timeout_and_a_lost_presence_each_end_the_ask_once()
    {
        using var world = new RouterWorld("here");
        var sender = new FakeBridgeSender("here");
        world.Router.UpsertRemote(Bob(), sender);
        var alice = world.Register("alice");

        world.Send(alice, new AskMessage { To = "bob@there", Question = "q?", AskId = "a-1" });
        world.Send(alice, new AskMessage { To = "bob@there", Question = "q?", AskId = "a-2", TimeoutMs = 1000 });
        world.Send(alice, new AskMessage { To = "bob@there", Question = "q?", AskId = "a-3" });
        Assert.Equal(3, alice.Drain().Count);

        world.Router.EndRemoteAsk("bob@there", "a-1", ErrorCodes.Refused, "no thanks");
        Assert.Equal(("a-1", "no thanks"), (alice.SingleErr(ErrorCodes.Refused).AskId, "no thanks"));
        world.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a-2", alice.SingleErr(ErrorCodes.Timeout).AskId);
        world.Router.RemoveRemote("bob@there", "presence expired");
        var gone = alice.SingleErr(ErrorCodes.PeerGone);
        Assert.Equal(("a-3", "bob@there"), (gone.AskId, gone.To));

        world.Router.RemoteAnswer("bob@there", new ReplyMessage { AskId = "a-2", Text = "late" });
        world.Send(alice, new AskMessage { To = "bob@there", Question = "q?", AskId = "a-4" });
        Assert.Equal("a-4", alice.SingleErr(ErrorCodes.PeerNotFound).AskId);
    }

    [Fact]
    public void An_ask_from_another_host_reaches_the_local_peer_and_its_reply_goes_back()
    {
        using var world = new RouterWorld("here");
        var sender = new FakeBridgeSender("here");
        var bob = world.Register("bob");
        var envelope = new BridgeEnvelope { Type = BridgeEnvelope.AskType, FromHost = "there", AskId = "a-1", Target = "bob@here", From = "carol", To = "bob", Question = "q?", ThreadId = "t-1" };

        world.Router.DeliverRemoteAsk(envelope, 60_000, sender);
        world.Router.DeliverRemoteAsk(envelope, 60_000, sender); // a redelivery is ignored
        var incoming = bob.Single<IncomingAskMessage>();
        Assert.Equal(("a-1", "carol@there", "q?", "t-1"), (incoming.AskId, incoming.From, incoming.Question, incoming.ThreadId));
        Assert.Empty(sender.Sent);

        world.Send(bob, new ReceiptMessage { AskId = "a-1", Status = AskStates.Surfaced });
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "yes" });
        Assert.Equal(2, bob.Drain().Count);
        var sent = sender.Drain();
        Assert.Equal(2, sent.Count);
        Assert.All(sent, s => Assert.Equal(("there", "bob@here", "a-1"), (s.Host, s.Envelope.Target, s.Envelope.AskId)));
        Assert.Equal((BridgeEnvelope.StatusType, AskStates.Surfaced), (sent[0].Envelope.Type, sent[0].Envelope.Status));
        Assert.Equal((BridgeEnvelope.ReplyType, "yes"), (sent[1].Envelope.Type, sent[1].Envelope.Text));

        // No such peer here: the asker's host hears peer_not_found for that ask.
        world.Router.DeliverRemoteAsk(new BridgeEnvelope { Type = BridgeEnvelope.AskType, FromHost = "there", AskId = "a-2", Target = "zed@here", From = "carol", To = "zed", Question = "q?" }, 60_000, sender);
        var (_, end) = Assert.Single(sender.Drain());
        Assert.Equal((BridgeEnvelope.EndType, ErrorCodes.PeerNotFound, "a-2", "zed@here"), (end.Type, end.Code, end.AskId, end.Target));

        // The local peer leaving ends the remote asker's ask with peer_gone, sent back.
        world.Router.DeliverRemoteAsk(new BridgeEnvelope { Type = BridgeEnvelope.AskType, FromHost = "there", AskId = "a-3", Target = "bob@here", From = "carol", To = "bob", Question = "q?" }, 60_000, sender);
        bob.Single<IncomingAskMessage>();
        world.Disconnect(bob);
        var (_, gone) = Assert.Single(sender.Drain());
        Assert.Equal((BridgeEnvelope.EndType, ErrorCodes.PeerGone, "a-3"), (gone.Type, gone.Code, gone.AskId));
    }

    [Fact]
    public void A_plain_name_on_two_hosts_is_ambiguous_and_list_peers_shows_hosts()
    {
        using var world = new RouterWorld("here");
        var sender = new FakeBridgeSender("here");
        var api = world.Register("api");
        world.Router.UpsertRemote(new PresenceRecord { Name = "api", Host = "there" }, sender);
        world.Router.UpsertRemote(Bob(), sender);

        world.Send(api, new AskMessage { To = "api", Question = "q?", AskId = "a-1" });
        var err = api.SingleErr(ErrorCodes.PeerAmbiguous);
        Assert.Contains("api@here, api@there", err.Message, StringComparison.Ordinal);
        world.Send(api, new AskMessage { To = "bob", Question = "q?", AskId = "a-2" });
        api.Single<AckMessage>();
        world.Send(api, new AskMessage { To = "api@here", Question = "q?", AskId = "a-3" });
        Assert.Equal(2, api.Drain().Count); // the ack and its own incoming_ask

        world.Send(api, new ListPeersMessage());
        var peers = api.Single<PeersMessage>().Peers;
        Assert.Equal(["api@here", "api@there", "bob@there"], peers.Select(p => p.Name + "@" + p.Host));
        Assert.Equal("/src/bob", peers[2].Cwd);
    }

    [Fact]
    public void A_broadcast_reaches_remote_peers_and_their_replies_carry_the_broadcast_id()
    {
        using var world = new RouterWorld("here");
        var sender = new FakeBridgeSender("here");
        var alice = world.Register("alice");
        var web = world.Register("web");
        world.Router.UpsertRemote(Bob(), sender);

        world.Send(alice, new BroadcastMessage { Question = "status?" });
        var ack = alice.Single<BroadcastAckMessage>();
        Assert.Equal(["bob@there", "web"], ack.Targets);
        var toWeb = web.Single<IncomingAskMessage>();
        var (host, envelope) = Assert.Single(sender.Drain());
        Assert.Equal(("there", "bob", ack.BroadcastId), (host, envelope.To, envelope.BroadcastId));

        world.Router.RemoteAnswer("bob@there", new ReplyMessage { AskId = envelope.AskId, Text = "busy" });
        var reply = alice.Single<IncomingReplyMessage>();
        Assert.Equal(("bob@there", ack.BroadcastId), (reply.From, reply.BroadcastId));
        world.Send(web, new ReplyMessage { AskId = toWeb.AskId, Text = "idle" });
        Assert.Equal("web", alice.Single<IncomingReplyMessage>().From);
    }
}
