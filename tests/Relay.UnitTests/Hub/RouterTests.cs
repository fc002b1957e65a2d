using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>The router's rules, driven in process: fake peers, a fake clock, no sockets and no sleeps.</summary>
public sealed class RouterTests
{
    [Fact]
    public void Register_acks_first_come_first_served_and_a_taken_name_gets_name_taken()
    {
        using var world = new RouterWorld();
        var first = world.Connect();
        world.Send(first, new RegisterMessage { ReqId = "r1", Name = "api", ProtocolVersion = ProtocolVersion.Current, Cwd = "/src/api", Kind = PeerKinds.Claude, Pid = 42 });
        var ack = first.Single<AckMessage>();
        Assert.Equal(("r1", "api", ProtocolVersion.Current, Environment.ProcessId), (ack.ReqId, ack.Name, ack.ProtocolVersion, ack.HubPid));

        var second = world.Connect();
        world.Send(second, new RegisterMessage { ReqId = "r2", Name = "api", ProtocolVersion = ProtocolVersion.Current });
        Assert.Equal("r2", second.SingleErr(ErrorCodes.NameTaken).ReqId);
        world.Send(first, new RegisterMessage { Name = "again", ProtocolVersion = ProtocolVersion.Current });
        first.SingleErr(ErrorCodes.AlreadyRegistered);

        world.Send(second, new ListPeersMessage());
        second.SingleErr(ErrorCodes.NotRegistered);
        world.Send(first, new ListPeersMessage { ReqId = "l1" });
        var peer = Assert.Single(first.Single<PeersMessage>().Peers);
        Assert.Equal(("api", "/src/api", PeerKinds.Claude, 42), (peer.Name, peer.Cwd, peer.Kind, peer.Pid));
    }

    [Fact]
    public void Register_checks_the_protocol_version_and_the_name()
    {
        using var world = new RouterWorld();
        var peer = world.Connect();
        world.Send(peer, new RegisterMessage { Name = "api", ProtocolVersion = ProtocolVersion.Current + 1 });
        peer.SingleErr(ErrorCodes.ProtocolMismatch);
        world.Send(peer, new RegisterMessage { Name = "no spaces", ProtocolVersion = ProtocolVersion.Current });
        peer.SingleErr(ErrorCodes.BadMsg);
        world.Send(peer, new RegisterMessage { Name = "api", ProtocolVersion = ProtocolVersion.Current, Kind = "not a kind" });
        peer.SingleErr(ErrorCodes.BadMsg);
    }

    [Fact]
    public void Rename_moves_the_name_and_refuses_a_taken_one()
    {
        using var world = new RouterWorld();
        var api = world.Register("api");
        world.Register("web");

        world.Send(api, new RenameMessage { ReqId = "n1", Name = "web" });
        Assert.Equal("n1", api.SingleErr(ErrorCodes.NameTaken).ReqId);
        world.Send(api, new RenameMessage { Name = "api" });
        Assert.Equal("api", api.Single<AckMessage>().Name);
        world.Send(api, new RenameMessage { Name = "auth" });
        Assert.Equal("auth", api.Single<AckMessage>().Name);

        // The old name is free again; the new one is held.
        var late = world.Register("api");
        world.Send(late, new ListPeersMessage());
        Assert.Equal(["api", "auth", "web"], late.Single<PeersMessage>().Peers.Select(p => p.Name));
    }

    [Fact]
    public void An_ask_reaches_its_target_and_the_reply_reaches_the_asker()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");

        world.Send(alice, new AskMessage { ReqId = "r1", To = "bob", Question = "shape?", AskId = "a-1", ThreadId = "t-1" });
        var ack = alice.Single<AckMessage>();
        Assert.Equal(("r1", "a-1", "t-1"), (ack.ReqId, ack.AskId, ack.ThreadId));
        var incoming = bob.Single<IncomingAskMessage>();
        Assert.Equal(("a-1", "alice", "shape?", "t-1", null), (incoming.AskId, incoming.From, incoming.Question, incoming.ThreadId, incoming.ReqId));

        world.Send(bob, new ReplyMessage { ReqId = "r2", AskId = "a-1", Text = "same" });
        Assert.Equal(("r2", "a-1"), (bob.Single<AckMessage>().ReqId, "a-1"));
        var reply = alice.Single<IncomingReplyMessage>();
        Assert.Equal(("a-1", "bob", "same", "t-1", null), (reply.AskId, reply.From, reply.Text, reply.ThreadId, reply.BroadcastId));
    }

    [Fact]
    public void An_ask_without_a_thread_gets_one_and_an_unknown_target_gets_peer_not_found()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");

        var incoming = world.Ask(alice, bob, "a-1");
        Assert.StartsWith("t-", incoming.ThreadId, StringComparison.Ordinal);

        world.Send(alice, new AskMessage { ReqId = "r1", To = "carol", Question = "?", AskId = "a-2" });
        var err = alice.SingleErr(ErrorCodes.PeerNotFound);
        Assert.Equal(("r1", "a-2", "carol"), (err.ReqId, err.AskId, err.To));
    }

    [Fact]
    public void A_second_pending_ask_with_the_same_id_to_the_same_peer_is_refused()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        var carol = world.Register("carol");
        world.Ask(alice, bob, "a-1");

        world.Send(alice, new AskMessage { To = "bob", Question = "?", AskId = "a-1" });
        alice.SingleErr(ErrorCodes.BadMsg);
        Assert.Empty(bob.Received);
        world.Ask(alice, carol, "a-1");
    }

    [Fact]
    public void A_reply_to_an_ask_that_is_not_pending_for_the_replier_gets_unknown_ask()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        var carol = world.Register("carol");
        world.Ask(alice, bob, "a-1");

        world.Send(carol, new ReplyMessage { ReqId = "r1", AskId = "a-1", Text = "not mine" });
        Assert.Equal(("r1", "a-1"), (carol.SingleErr(ErrorCodes.UnknownAsk).ReqId, "a-1"));
        world.Send(bob, new ReplyMessage { AskId = "never-sent", Text = "?" });
        bob.SingleErr(ErrorCodes.UnknownAsk);
        Assert.Empty(alice.Received);

        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "first" });
        bob.Single<AckMessage>();
        alice.Single<IncomingReplyMessage>();
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "second" });
        bob.SingleErr(ErrorCodes.UnknownAsk);
        Assert.Empty(alice.Received);
    }

    [Fact]
    public void A_reply_on_behalf_of_the_holder_is_accepted_only_for_the_holder()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var listener = world.Register("listener");
        var oneShot = world.Register("one-shot");
        world.Ask(alice, listener, "a-1");

        world.Send(oneShot, new ReplyMessage { AskId = "a-1", Text = "x", OnBehalfOf = "alice" });
        oneShot.SingleErr(ErrorCodes.UnknownAsk);
        world.Send(oneShot, new ReplyMessage { AskId = "a-1", Text = "from the terminal", OnBehalfOf = "listener" });
        oneShot.Single<AckMessage>();
        var reply = alice.Single<IncomingReplyMessage>();
        Assert.Equal(("listener", "from the terminal"), (reply.From, reply.Text));
    }

    [Fact]
    public void A_timeout_fires_exactly_once_when_the_fake_clock_passes_it()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1", timeoutMs: 1000);

        world.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(alice.Received);
        world.Time.Advance(TimeSpan.FromMilliseconds(1));
        var err = alice.SingleErr(ErrorCodes.Timeout);
        Assert.Equal(("a-1", "bob", null), (err.AskId, err.To, err.ReqId));

        world.Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(alice.Received);
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "too late" });
        bob.SingleErr(ErrorCodes.UnknownAsk);
        Assert.Empty(alice.Received);
    }

    [Fact]
    public void An_ask_without_timeout_ms_uses_the_default_and_a_reply_stops_the_timer()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1");
        world.Ask(alice, bob, "a-2");

        world.Send(bob, new ReplyMessage { AskId = "a-2", Text = "quick" });
        bob.Single<AckMessage>();
        alice.Single<IncomingReplyMessage>();
        world.Time.Advance(RouterWorld.DefaultAskTimeout - TimeSpan.FromTicks(1));
        Assert.Empty(alice.Received);
        world.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("a-1", alice.SingleErr(ErrorCodes.Timeout).AskId);
        world.Time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(alice.Received);
    }

    [Fact]
    public void A_non_positive_timeout_is_refused()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        world.Send(alice, new AskMessage { To = "bob", Question = "?", AskId = "a-1", TimeoutMs = 0 });
        alice.SingleErr(ErrorCodes.BadMsg);
        Assert.Empty(bob.Received);
    }

    [Fact]
    public void When_the_target_leaves_each_waiting_asker_gets_peer_gone_once_and_no_timeout_follows()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var carol = world.Register("carol");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1", timeoutMs: 1000);
        world.Ask(carol, bob, "c-1", timeoutMs: 1000);

        world.Disconnect(bob);
        Assert.True(bob.Departed);
        Assert.True(bob.Completed);
        var err = alice.SingleErr(ErrorCodes.PeerGone);
        Assert.Equal(("a-1", "bob", null), (err.AskId, err.To, err.ReqId));
        Assert.Equal("c-1", carol.SingleErr(ErrorCodes.PeerGone).AskId);

        world.Disconnect(bob);
        world.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(alice.Received);
        Assert.Empty(carol.Received);
        world.Send(alice, new AskMessage { To = "bob", Question = "?", AskId = "a-2" });
        alice.SingleErr(ErrorCodes.PeerNotFound);
    }

    [Fact]
    public void When_the_asker_leaves_its_asks_are_dropped_silently()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1", timeoutMs: 1000);

        world.Disconnect(alice);
        world.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(alice.Received);
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "anyone?" });
        bob.SingleErr(ErrorCodes.UnknownAsk);
    }

    [Fact]
    public void Pending_asks_follow_a_rename_in_both_directions()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1");
        world.Ask(bob, alice, "b-1");

        world.Send(bob, new RenameMessage { Name = "robert" });
        bob.Single<AckMessage>();
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "renamed" });
        bob.Single<AckMessage>();
        Assert.Equal("robert", alice.Single<IncomingReplyMessage>().From);
        world.Send(alice, new ReplyMessage { AskId = "b-1", Text = "ok" });
        alice.Single<AckMessage>();
        Assert.Equal("alice", bob.Single<IncomingReplyMessage>().From);
    }

    [Fact]
    public void A_broadcast_fans_out_to_every_other_peer_and_each_target_ends_on_its_own()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var carol = world.Register("carol");
        var bob = world.Register("bob");
        var dave = world.Register("dave");

        world.Send(alice, new BroadcastMessage { ReqId = "r1", Question = "status?", ThreadId = "t-9", TimeoutMs = 1000 });
        var ack = alice.Single<BroadcastAckMessage>();
        Assert.Equal(("r1", 3), (ack.ReqId, ack.PeerCount));
        Assert.Equal(["bob", "carol", "dave"], ack.Targets);
        Assert.StartsWith("b-", ack.BroadcastId, StringComparison.Ordinal);
        var toBob = bob.Single<IncomingAskMessage>();
        var toCarol = carol.Single<IncomingAskMessage>();
        var toDave = dave.Single<IncomingAskMessage>();
        Assert.Equal([$"{ack.BroadcastId}.1", $"{ack.BroadcastId}.2", $"{ack.BroadcastId}.3"], new[] { toBob.AskId, toCarol.AskId, toDave.AskId });
        Assert.All(new[] { toBob, toCarol, toDave }, a => Assert.Equal(("alice", "status?", "t-9", ack.BroadcastId), (a.From, a.Question, a.ThreadId, a.BroadcastId)));

        world.Send(bob, new ReplyMessage { AskId = toBob.AskId, Text = "fine" });
        bob.Single<AckMessage>();
        var reply = alice.Single<IncomingReplyMessage>();
        Assert.Equal(("bob", ack.BroadcastId, "t-9"), (reply.From, reply.BroadcastId, reply.ThreadId));

        world.Disconnect(dave);
        var gone = alice.SingleErr(ErrorCodes.PeerGone);
        Assert.Equal(("dave", toDave.AskId, ack.BroadcastId), (gone.To, gone.AskId, gone.BroadcastId));

        world.Time.Advance(TimeSpan.FromSeconds(1));
        var timeout = alice.SingleErr(ErrorCodes.Timeout);
        Assert.Equal(("carol", toCarol.AskId, ack.BroadcastId), (timeout.To, timeout.AskId, timeout.BroadcastId));
        world.Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(alice.Received);
    }

    [Fact]
    public void A_broadcast_with_nobody_else_acks_zero_targets()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        world.Send(alice, new BroadcastMessage { Question = "anyone?" });
        var ack = alice.Single<BroadcastAckMessage>();
        Assert.Equal(0, ack.PeerCount);
        Assert.NotNull(ack.Targets);
        Assert.Empty(ack.Targets);
    }

    [Fact]
    public void Observers_get_one_event_per_thing_that_happens_and_are_not_peers()
    {
        // Hold 0: bob's channel leaving ends its asks at once (RouterHoldTests has the waiting events).
        using var world = new RouterWorld(holdWindow: TimeSpan.Zero);
        var observer = world.Watch();
        var alice = world.Register("alice");
        var bob = world.Register("bob", PeerKinds.Claude);
        world.Ask(alice, bob, "a-1");
        world.Time.Advance(TimeSpan.FromMilliseconds(250));
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "secret answer" });
        alice.Drain();
        bob.Drain();
        world.Ask(alice, bob, "a-2", timeoutMs: 50);
        world.Time.Advance(TimeSpan.FromMilliseconds(50));
        alice.SingleErr(ErrorCodes.Timeout);
        world.Ask(alice, bob, "a-3");
        world.Send(alice, new BroadcastMessage { Question = "all?" });
        world.Send(bob, new RenameMessage { Name = "robert" });
        world.Disconnect(bob);

        var events = observer.Drain().Select(m => Assert.IsType<HubEventMessage>(m)).ToList();
        Assert.Equal(
            [HubEvents.PeerRegister, HubEvents.PeerRegister, HubEvents.Ask, HubEvents.Reply, HubEvents.Ask, HubEvents.Timeout, HubEvents.Ask, HubEvents.Broadcast, HubEvents.PeerRename, HubEvents.PeerGone, HubEvents.PeerGone, HubEvents.PeerLeave],
            events.Select(e => e.Event));
        Assert.Equal(("bob", PeerKinds.Claude), (events[1].Name, events[1].Kind));
        Assert.Equal(("alice", "bob", "a-1", 2), (events[2].From, events[2].To, events[2].AskId, events[2].Bytes));
        Assert.Equal(("bob", "alice", "a-1", 250.0, 13), (events[3].From, events[3].To, events[3].AskId, events[3].LatencyMs, events[3].Bytes));
        Assert.Equal(("alice", "bob", "a-2"), (events[5].From, events[5].To, events[5].AskId));
        Assert.Equal(1, events[7].PeerCount);
        Assert.Equal(("robert", "bob"), (events[8].Name, events[8].OldName));
        Assert.Equal(("alice", "robert"), (events[9].From, events[9].To));
        Assert.Equal("robert", events[11].Name);
        Assert.All(events, e => Assert.Null(e.ReqId));
        Assert.Equal(world.Time.GetUtcNow(), events[^1].At);

        world.Send(alice, new ListPeersMessage());
        Assert.Equal(["alice"], alice.Drain().OfType<PeersMessage>().Single().Peers.Select(p => p.Name));
        world.Send(observer, new ListPeersMessage());
        observer.SingleErr(ErrorCodes.NotRegistered);
        world.Send(observer, new RegisterMessage { Name = "sneaky", ProtocolVersion = ProtocolVersion.Current });
        observer.SingleErr(ErrorCodes.AlreadyRegistered);
        world.Send(observer, new WatchMessage { ProtocolVersion = ProtocolVersion.Current });
        observer.SingleErr(ErrorCodes.AlreadyRegistered);
    }

    [Fact]
    public void A_peer_over_its_backlog_is_dropped_and_its_askers_get_peer_gone()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1");

        bob.Overflow = true;
        world.Send(alice, new AskMessage { To = "bob", Question = "one too many", AskId = "a-2" });
        Assert.True(bob.Departed);
        Assert.Equal(1, bob.Aborts);
        var messages = alice.Drain();
        Assert.IsType<AckMessage>(messages[0]);
        var ends = messages.Skip(1).Select(m => Assert.IsType<ErrMessage>(m)).ToList();
        Assert.All(ends, e => Assert.Equal(ErrorCodes.PeerGone, e.Code));
        Assert.Equal(["a-1", "a-2"], ends.Select(e => e.AskId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_bad_line_gets_bad_msg_with_its_req_id_and_the_connection_keeps_working()
    {
        using var world = new RouterWorld();
        var peer = world.Connect();
        world.Send(peer, """{"type":"register","req_id":"r1","name":"api"}""");
        var err = peer.SingleErr(ErrorCodes.BadMsg);
        Assert.Equal("r1", err.ReqId);
        Assert.Equal("register: a required field is missing or has the wrong type", err.Message);
        world.Send(peer, "{not json");
        peer.SingleErr(ErrorCodes.BadMsg);
        world.Send(peer, new RegisterMessage { Name = "api", ProtocolVersion = ProtocolVersion.Current });
        peer.Single<AckMessage>();
    }

    [Fact]
    public void Hub_status_reports_counts_and_the_uptime_on_the_routers_clock()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        world.Watch();
        world.Ask(alice, bob, "a-1");
        world.Time.Advance(TimeSpan.FromSeconds(5));

        var anonymous = world.Connect();
        world.Send(anonymous, new HubStatusMessage { ReqId = "s1" });
        var status = anonymous.Single<HubStatusReplyMessage>();
        Assert.Equal(("s1", 2, 1, 1), (status.ReqId, status.PeerCount, status.PendingAsks, status.Observers));
        Assert.Equal(5000, status.UptimeMs);
        Assert.Equal(world.Time.GetUtcNow() - TimeSpan.FromSeconds(5), status.StartedAt);
    }

    [Fact]
    public void The_idle_timer_runs_only_while_no_peer_is_registered()
    {
        using var world = new RouterWorld();
        world.Router.Start();
        world.Time.Advance(RouterWorld.IdleExit - TimeSpan.FromSeconds(1));
        var alice = world.Register("alice");
        world.Watch();
        world.Time.Advance(RouterWorld.IdleExit * 3);
        Assert.Empty(world.StopRequests);

        world.Disconnect(alice);
        world.Time.Advance(RouterWorld.IdleExit - TimeSpan.FromSeconds(1));
        Assert.Empty(world.StopRequests);
        world.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["idle"], world.StopRequests);
    }

    [Fact]
    public void After_close_all_lines_are_ignored_and_new_connections_are_aborted()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        world.Router.CloseAll();
        Assert.True(alice.Completed);
        Assert.Equal(1, alice.Aborts);

        world.Send(alice, new ListPeersMessage());
        Assert.Empty(alice.Received);
        var late = world.Connect();
        Assert.Equal(1, late.Aborts);
    }
}
