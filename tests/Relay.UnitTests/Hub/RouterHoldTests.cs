using Relay.Hub;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>
/// Asks to a Claude Code channel that left wait for its return (restart, or the session resumed) for the hold
/// window: driven in process with fake peers and a fake clock. Every ask ends exactly once at its asker.
/// </summary>
public sealed class RouterHoldTests
{
    [Fact]
    public void A_returning_session_gets_the_asks_it_never_confirmed_and_its_reply_to_a_delivered_one_routes()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.RegisterChannel("bob", "s-1");
        world.Ask(alice, bob, "a-1");
        world.Send(bob, new ReceiptMessage { AskId = "a-1", Status = AskStates.Delivered });
        bob.Single<AckMessage>();
        Assert.Equal(AskStates.Delivered, alice.Single<AskStatusMessage>().Status);
        world.Ask(alice, bob, "a-2");

        world.Disconnect(bob);
        var waiting = alice.Drain().Cast<AskStatusMessage>().ToList();
        Assert.Equal(["a-1", "a-2"], waiting.Select(w => w.AskId).Order());
        Assert.All(waiting, w => Assert.Equal((AskStates.Waiting, "bob", "bob is away; held up to 2m"), (w.Status, w.To, w.Detail)));

        // A new ask to the away name waits too: acked, then waiting.
        world.Send(alice, new AskMessage { ReqId = "r3", To = "bob", Question = "still there?", AskId = "a-3", TimeoutMs = 600_000 });
        var answers = alice.Drain();
        Assert.Equal(("r3", "a-3", DeliveryPaths.Inbox), (Assert.IsType<AckMessage>(answers[0]).ReqId, ((AckMessage)answers[0]).AskId, ((AckMessage)answers[0]).Delivery));
        Assert.Equal((AskStates.Waiting, "bob is away; held up to 3m"), (Assert.IsType<AskStatusMessage>(answers[1]).Status, ((AskStatusMessage)answers[1]).Detail));

        // The session comes back (resumed: another connection, another name, the same session id).
        world.Time.Advance(TimeSpan.FromSeconds(60));
        var resumed = world.RegisterChannel("bob-2", "s-1");
        var sent = resumed.Drain().Cast<IncomingAskMessage>().ToList();
        Assert.Equal(["a-2", "a-3"], sent.Select(s => s.AskId));
        Assert.Equal(("alice", "still there?", 540_000L), (sent[1].From, sent[1].Question, sent[1].TimeoutMs));
        Assert.Equal(60_000L, sent[0].TimeoutMs);
        Assert.Empty(alice.Received);

        foreach (var askId in new[] { "a-1", "a-2", "a-3" })
        {
            world.Send(resumed, new ReplyMessage { AskId = askId, Text = "yes " + askId });
            resumed.Single<AckMessage>();
            var reply = alice.Single<IncomingReplyMessage>();
            Assert.Equal((askId, "bob-2", "yes " + askId), (reply.AskId, reply.From, reply.Text));
        }

        world.Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(alice.Received);
    }

    [Fact]
    public void List_peers_shows_an_away_peer_with_its_hold_deadline_until_it_returns_or_the_window_ends()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.RegisterChannel("bob", "s-1");
        world.Ask(alice, bob, "a-1", timeoutMs: 3_600_000);
        var leftAt = world.Time.GetUtcNow();
        world.Disconnect(bob);
        alice.Drain();

        PeerInfo Listed(string name)
        {
            world.Send(alice, new ListPeersMessage());
            return alice.Single<PeersMessage>().Peers.Single(p => p.Name == name);
        }

        var away = Listed("bob");
        Assert.Equal((leftAt + RouterWorld.HoldWindow, 1, PeerKinds.Claude, leftAt), (away.AwayUntil, away.HeldAsks, away.Kind, away.LastSeen));
        Assert.Null(Listed("alice").AwayUntil);

        // Back under the same session id: listed once, live.
        var back = world.RegisterChannel("bob", "s-1");
        back.Drain();
        world.Send(alice, new ListPeersMessage());
        var live = Assert.Single(alice.Single<PeersMessage>().Peers, p => p.Name == "bob");
        Assert.Equal((null, null), (live.AwayUntil, live.HeldAsks));

        // Gone again, and the window ends: no longer listed.
        world.Disconnect(back);
        alice.Drain();
        Assert.NotNull(Listed("bob").AwayUntil);
        world.Time.Advance(RouterWorld.HoldWindow);
        alice.Drain();
        world.Send(alice, new ListPeersMessage());
        Assert.Equal(["alice"], alice.Single<PeersMessage>().Peers.Select(p => p.Name));
    }

    [Fact]
    public void Two_sessions_that_left_under_one_name_are_listed_once_as_the_one_asks_to_that_name_wait_for()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        world.Disconnect(world.RegisterChannel("bob", "s-1"));
        world.Time.Advance(TimeSpan.FromSeconds(10));
        var second = world.RegisterChannel("bob", "s-2");
        Assert.Equal("bob", second.Name);
        world.Disconnect(second);
        alice.Drain();

        world.Send(alice, new ListPeersMessage());
        var bob = Assert.Single(alice.Single<PeersMessage>().Peers, p => p.Name == "bob");
        Assert.Equal(world.Time.GetUtcNow() + RouterWorld.HoldWindow, bob.AwayUntil);
    }

    [Fact]
    public void When_the_window_ends_without_a_return_each_waiting_ask_gets_peer_gone_saying_it_was_held()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.RegisterChannel("bob", "s-1");
        world.Ask(alice, bob, "a-1", timeoutMs: 3_600_000);
        world.Disconnect(bob);
        Assert.Equal(AskStates.Waiting, alice.Single<AskStatusMessage>().Status);
        world.Send(alice, new AskMessage { To = "bob", Question = "?", AskId = "a-2", TimeoutMs = 3_600_000 });
        alice.Drain();

        world.Time.Advance(RouterWorld.HoldWindow - TimeSpan.FromMilliseconds(1));
        Assert.Empty(alice.Received);
        world.Time.Advance(TimeSpan.FromMilliseconds(1));
        var gone = alice.Drain().Cast<ErrMessage>().ToList();
        Assert.Equal(["a-1", "a-2"], gone.Select(g => g.AskId).Order());
        Assert.All(gone, g => Assert.Equal((ErrorCodes.PeerGone, "bob", "bob left and did not come back; the ask was held for it for 3m"), (g.Code, g.To, g.Message)));

        // Nobody is waited for any more, and a late return finds nothing.
        world.Send(alice, new AskMessage { To = "bob", Question = "?", AskId = "a-3" });
        alice.SingleErr(ErrorCodes.PeerNotFound);
        var late = world.RegisterChannel("bob", "s-1");
        Assert.Empty(late.Received);
        world.Time.Advance(TimeSpan.FromHours(2));
        Assert.Empty(alice.Received);
    }

    [Fact]
    public void A_held_ask_still_times_out_on_its_own_timer_and_ends_once()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.RegisterChannel("bob", "s-1");
        world.Disconnect(bob);
        world.Send(alice, new AskMessage { To = "bob", Question = "?", AskId = "a-1", TimeoutMs = 30_000 });
        var answers = alice.Drain();
        Assert.Equal("bob is away; held up to 30s", Assert.IsType<AskStatusMessage>(answers[1]).Detail);

        world.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("a-1", alice.SingleErr(ErrorCodes.Timeout).AskId);
        world.Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(alice.Received);
        var back = world.RegisterChannel("bob", "s-1");
        Assert.Empty(back.Received);
    }

    [Fact]
    public void What_does_not_fit_the_hold_is_refused_with_hold_full_and_room_comes_back_when_asks_end()
    {
        using var world = new RouterWorld(hold: new HoldBounds { MaxAsksPerPeer = 2, MaxBytesPerPeer = 1000 });
        var alice = world.Register("alice");
        var carol = world.Register("carol");
        var bob = world.RegisterChannel("bob", "s-1");
        world.Disconnect(bob);
        world.Send(alice, new AskMessage { To = "bob", Question = "one", AskId = "a-1" });
        world.Send(alice, new AskMessage { To = "bob", Question = new string('x', 998), AskId = "a-2" });
        var refused = alice.Drain().OfType<ErrMessage>().Single();
        Assert.Equal((ErrorCodes.HoldFull, "a-2", "bob"), (refused.Code, refused.AskId, refused.To));
        Assert.Contains("1000 bytes", refused.Message, StringComparison.Ordinal);
        world.Send(alice, new AskMessage { To = "bob", Question = "two", AskId = "a-3" });
        alice.Drain();
        world.Send(carol, new AskMessage { ReqId = "r4", To = "bob", Question = "three", AskId = "c-1" });
        var full = carol.SingleErr(ErrorCodes.HoldFull);
        Assert.Equal(("r4", "c-1", "bob"), (full.ReqId, full.AskId, full.To));
        Assert.Contains("already has 2 asks", full.Message, StringComparison.Ordinal);

        // The asker leaving frees its held asks' room.
        world.Disconnect(alice);
        world.Send(carol, new AskMessage { To = "bob", Question = "three", AskId = "c-2" });
        Assert.Equal(AskStates.Waiting, Assert.IsType<AskStatusMessage>(carol.Drain()[1]).Status);
        var back = world.RegisterChannel("bob", "s-1");
        Assert.Equal("c-2", back.Single<IncomingAskMessage>().AskId);
    }

    [Fact]
    public void An_unconfirmed_ask_that_does_not_fit_the_hold_when_its_target_leaves_ends_with_hold_full()
    {
        using var world = new RouterWorld(hold: new HoldBounds { MaxAsksPerPeer = 1 });
        var alice = world.Register("alice");
        var bob = world.RegisterChannel("bob", "s-1");
        world.Ask(alice, bob, "a-1");
        world.Ask(alice, bob, "a-2");
        world.Disconnect(bob);
        var outcomes = alice.Drain();
        Assert.Equal(2, outcomes.Count);
        Assert.Single(outcomes.OfType<AskStatusMessage>(), s => s.Status == AskStates.Waiting);
        Assert.Contains("left before your ask reached its session", Assert.Single(outcomes.OfType<ErrMessage>(), e => e.Code == ErrorCodes.HoldFull).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_session_id_the_same_name_returns_and_another_session_under_the_name_does_not()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var web = world.RegisterChannel("web", sessionId: null);
        var api = world.RegisterChannel("api", "s-1");
        world.Ask(alice, web, "w-1", timeoutMs: 3_600_000);
        world.Ask(alice, api, "a-1", timeoutMs: 3_600_000);
        world.Disconnect(web);
        world.Disconnect(api);
        alice.Drain();

        Assert.Equal("w-1", world.RegisterChannel("web", sessionId: null).Single<IncomingAskMessage>().AskId);

        // Another session takes the free name: new asks go to it, the held one keeps waiting for session s-1.
        var other = world.RegisterChannel("api", "s-2");
        Assert.Empty(other.Received);
        world.Ask(alice, other, "a-2", timeoutMs: 3_600_000);
        world.Time.Advance(RouterWorld.HoldWindow);
        Assert.Equal("a-1", alice.SingleErr(ErrorCodes.PeerGone).AskId);
    }

    [Fact]
    public void A_restarted_channel_that_registered_before_the_old_one_was_seen_leaving_takes_its_asks_at_once()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var old = world.RegisterChannel("bob", "s-1");
        world.Ask(alice, old, "a-1");
        var restarted = world.RegisterChannel("bob-2", "s-1");
        world.Disconnect(old);
        Assert.Equal("a-1", restarted.Single<IncomingAskMessage>().AskId);
        Assert.Empty(alice.Received);
        world.Send(restarted, new ReplyMessage { AskId = "a-1", Text = "here" });
        Assert.Equal("bob-2", alice.Single<IncomingReplyMessage>().From);
    }

    [Fact]
    public void Terminals_and_a_hub_with_hold_0_leave_at_once_with_peer_gone()
    {
        using (var world = new RouterWorld())
        {
            var alice = world.Register("alice");
            var listener = world.Register("ops", PeerKinds.Cli);
            world.Ask(alice, listener, "a-1");
            world.Disconnect(listener);
            Assert.Equal("ops disconnected before replying", alice.SingleErr(ErrorCodes.PeerGone).Message);
        }

        using (var world = new RouterWorld(holdWindow: TimeSpan.Zero))
        {
            var alice = world.Register("alice");
            var bob = world.RegisterChannel("bob", "s-1");
            world.Ask(alice, bob, "a-1");
            world.Disconnect(bob);
            alice.SingleErr(ErrorCodes.PeerGone);
            world.Send(alice, new AskMessage { To = "bob", Question = "?", AskId = "a-2" });
            alice.SingleErr(ErrorCodes.PeerNotFound);
        }
    }

    [Fact]
    public void Observers_see_the_waiting_state()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.RegisterChannel("bob", "s-1");
        var observer = world.Watch();
        world.Disconnect(bob);
        world.Send(alice, new AskMessage { To = "bob", Question = "?", AskId = "a-1" });
        var events = observer.Drain().Cast<HubEventMessage>().ToList();
        Assert.Equal([HubEvents.PeerLeave, HubEvents.Ask, HubEvents.AskStatus], events.Select(e => e.Event));
        Assert.Equal((AskStates.Waiting, "bob"), (events[2].Status, events[2].To));
    }

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(45_000, "45s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(180_000, "3m")]
    [InlineData(3_660_000, "1h1m")]
    public void Durations_read_short(long ms, string text) => Assert.Equal(text, Router.Span(TimeSpan.FromMilliseconds(ms)));
}
