using Relay.Hub;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>
/// An asker that is away (its Claude Code channel restarted, or its session is resumed): its own asks stay pending
/// and their endings — the reply, or an error such as <c>timeout</c> — are kept and handed to it on its return, so a
/// restart of the asker loses no answer. Fake peers and a fake clock.
/// </summary>
public sealed class RouterAwayAskerTests
{
    [Fact]
    public void A_reply_and_a_timeout_that_came_while_the_asker_was_away_reach_it_on_its_return_in_order()
    {
        using var world = new RouterWorld();
        var alice = world.RegisterChannel("alice", "s-a");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1");
        world.Ask(alice, bob, "a-2", timeoutMs: 10_000);
        world.Disconnect(alice);

        world.Send(bob, new ReplyMessage { ReqId = "r1", AskId = "a-1", Text = "here" });
        Assert.Equal("r1", bob.Single<AckMessage>().ReqId);
        world.Time.Advance(TimeSpan.FromSeconds(10));

        // The session comes back under another name (a resume): the endings reach it, in the order they came.
        var back = world.RegisterChannel("alice-2", "s-a");
        var endings = back.Drain();
        Assert.Equal(2, endings.Count);
        var reply = Assert.IsType<IncomingReplyMessage>(endings[0]);
        Assert.Equal(("a-1", "bob", "here"), (reply.AskId, reply.From, reply.Text));
        var timeout = Assert.IsType<ErrMessage>(endings[1]);
        Assert.Equal(("a-2", ErrorCodes.Timeout), (timeout.AskId, timeout.Code));

        // Each ended once: a second reply is the replier's unknown_ask, and the asker hears nothing more.
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "again" });
        bob.SingleErr(ErrorCodes.UnknownAsk);
        world.Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(back.Received);
    }

    [Fact]
    public void An_ask_still_pending_when_the_asker_returns_is_answered_to_the_returned_connection()
    {
        using var world = new RouterWorld();
        var alice = world.RegisterChannel("alice", "s-a");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1");
        world.Disconnect(alice);

        var back = world.RegisterChannel("alice", "s-a");
        Assert.Empty(back.Received);
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "late but fine" });
        bob.Single<AckMessage>();
        Assert.Equal("late but fine", back.Single<IncomingReplyMessage>().Text);
        Assert.Empty(alice.Received);
    }

    [Fact]
    public void An_asker_that_does_not_come_back_within_the_window_is_forgotten_and_the_late_reply_gets_unknown_ask()
    {
        using var world = new RouterWorld();
        var alice = world.RegisterChannel("alice", "s-a");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1", timeoutMs: 3_600_000);
        world.Disconnect(alice);

        world.Time.Advance(RouterWorld.HoldWindow);
        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "anyone?" });
        bob.SingleErr(ErrorCodes.UnknownAsk);
        var late = world.RegisterChannel("alice", "s-a");
        Assert.Empty(late.Received);
    }

    [Fact]
    public void A_reply_that_does_not_fit_what_is_held_for_the_away_asker_is_refused_to_its_replier_and_the_ask_stays()
    {
        using var world = new RouterWorld(hold: new HoldBounds { MaxBytesPerPeer = 10 });
        var alice = world.RegisterChannel("alice", "s-a");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1");
        world.Disconnect(alice);

        world.Send(bob, new ReplyMessage { ReqId = "r1", AskId = "a-1", Text = "a reply far longer than ten bytes" });
        var refused = bob.SingleErr(ErrorCodes.HoldFull);
        Assert.Equal(("r1", "a-1", "alice"), (refused.ReqId, refused.AskId, refused.To));
        Assert.Contains("not kept", refused.Message, StringComparison.Ordinal);

        world.Send(bob, new ReplyMessage { ReqId = "r2", AskId = "a-1", Text = "short" });
        Assert.Equal("r2", bob.Single<AckMessage>().ReqId);
        var back = world.RegisterChannel("alice", "s-a");
        Assert.Equal("short", back.Single<IncomingReplyMessage>().Text);
    }

    [Fact]
    public void A_terminal_asker_that_leaves_is_not_waited_for()
    {
        using var world = new RouterWorld();
        var alice = world.Register("alice");
        var bob = world.Register("bob");
        world.Ask(alice, bob, "a-1");
        world.Disconnect(alice);

        world.Send(bob, new ReplyMessage { AskId = "a-1", Text = "gone?" });
        bob.SingleErr(ErrorCodes.UnknownAsk);
    }
}
