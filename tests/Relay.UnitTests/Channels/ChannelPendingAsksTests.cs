using Microsoft.Extensions.Time.Testing;
using Relay.Channels;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Channels;

/// <summary>The channel's record of its own unanswered asks: each ends exactly once, and survives a hub restart.</summary>
public sealed class ChannelPendingAsksTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    private PendingAsks Accepted(params string[] ids)
    {
        var pending = new PendingAsks(_clock);
        foreach (var id in ids)
        {
            pending.AddAsk(id, "to-" + id, "q " + id, null, Minute);
            pending.Accepted(id, "t-" + id);
        }

        return pending;
    }

    [Fact]
    public void A_reply_or_an_error_ends_an_ask_and_the_rest_are_lost_when_giving_up_on_the_hub()
    {
        var pending = Accepted("a-1", "a-2", "a-3", "a-4");
        Assert.True(pending.Observe(new IncomingReplyMessage { AskId = "a-1", From = "to-a-1", Text = "done", ThreadId = "t" }).Pass);
        Assert.True(pending.Observe(new ErrMessage { Code = ErrorCodes.Timeout, Message = "late", AskId = "a-2", To = "to-a-2" }).Pass);
        pending.RemoveAsk("a-3");
        pending.Observe(new AckMessage { AskId = "a-4" });

        var lost = Assert.Single(pending.DrainAsLost());
        Assert.Equal((ErrorCodes.HubUnreachable, "a-4", "to-a-4", null), (lost.Code, lost.AskId, lost.To, lost.BroadcastId));
        Assert.Empty(pending.DrainAsLost());
    }

    [Fact]
    public void A_second_ending_of_the_same_ask_is_not_passed_on()
    {
        var pending = Accepted("a-1");
        Assert.True(pending.Observe(new IncomingReplyMessage { AskId = "a-1", From = "x", Text = "one", ThreadId = "t" }).Pass);
        Assert.False(pending.Observe(new IncomingReplyMessage { AskId = "a-1", From = "x", Text = "two", ThreadId = "t" }).Pass);
        Assert.False(pending.Observe(new ErrMessage { Code = ErrorCodes.Timeout, Message = "late", AskId = "a-1" }).Pass);
        Assert.False(pending.Observe(new AskStatusMessage { AskId = "a-1", Status = AskStates.Delivered, To = "x", ThreadId = "t" }).Pass);
    }

    [Fact]
    public void Resubmissions_keep_ids_and_thread_and_send_only_the_time_left()
    {
        var pending = new PendingAsks(_clock);
        pending.AddAsk("a-1", "bob", "still there?", "t-mine", Minute);
        pending.AddAsk("a-2", "carol", "and you?", null, Minute);
        pending.Accepted("a-1", "t-mine");
        pending.Accepted("a-2", "t-hub");
        pending.AddAsk("a-3", "dave", "not acked yet", null, Minute);
        _clock.Advance(TimeSpan.FromSeconds(20));

        var (resend, ended) = pending.Resubmissions();

        Assert.Empty(ended);
        Assert.Equal(["a-1", "a-2"], resend.Select(a => a.AskId).Order(StringComparer.Ordinal));
        var first = resend.Single(a => a.AskId == "a-1");
        Assert.Equal(("bob", "still there?", "t-mine", 40_000L, true), (first.To, first.Question, first.ThreadId, first.TimeoutMs!.Value, first.Resubmit!.Value));
        Assert.Equal("t-hub", resend.Single(a => a.AskId == "a-2").ThreadId);
    }

    [Fact]
    public void An_ask_whose_deadline_passed_while_the_hub_was_away_ends_once_with_timeout()
    {
        var pending = Accepted("a-1", "a-2");
        pending.AddAsk("a-3", "x", "q", null, TimeSpan.FromHours(1));
        pending.Accepted("a-3", null);
        _clock.Advance(Minute);

        var expired = pending.Expire(TimeSpan.Zero);

        Assert.Equal(["a-1", "a-2"], expired.Select(e => e.AskId).Order(StringComparer.Ordinal));
        Assert.All(expired, e => Assert.Equal(ErrorCodes.Timeout, e.Code));
        Assert.Empty(pending.Expire(TimeSpan.Zero));
        Assert.False(pending.Observe(new ErrMessage { Code = ErrorCodes.Timeout, Message = "hub's own", AskId = "a-1" }).Pass);
        var (resend, ended) = pending.Resubmissions();
        Assert.Empty(ended);
        Assert.Equal("a-3", Assert.Single(resend).AskId);
    }

    [Fact]
    public void While_connected_the_local_deadline_waits_a_grace_for_the_hub()
    {
        var pending = Accepted("a-1");
        _clock.Advance(Minute + TimeSpan.FromSeconds(1));
        Assert.Empty(pending.Expire(TimeSpan.FromSeconds(2)));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(pending.Expire(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void A_resubmission_of_an_ask_that_ran_out_of_time_ends_it_as_timeout()
    {
        var pending = Accepted("a-1");
        _clock.Advance(Minute);

        var (resend, ended) = pending.Resubmissions();

        Assert.Empty(resend);
        Assert.Equal(("a-1", ErrorCodes.Timeout), (Assert.Single(ended).AskId, ended[0].Code));
        Assert.Null(pending.Resubmission("a-1"));
    }

    [Fact]
    public void End_ends_a_pending_ask_once()
    {
        var pending = Accepted("a-1");
        var err = pending.End("a-1", ErrorCodes.PeerGone, "did not come back");
        Assert.Equal((ErrorCodes.PeerGone, "a-1", "to-a-1", "t-a-1"), (err!.Code, err.AskId, err.To, err.ThreadId));
        Assert.Null(pending.End("a-1", ErrorCodes.PeerGone, "again"));
    }

    [Fact]
    public void A_broadcast_loses_only_the_targets_that_have_not_answered()
    {
        var pending = new PendingAsks(_clock);
        pending.AddBroadcast("b-1", ["api", "web", "db"]);
        pending.Observe(new IncomingReplyMessage { AskId = "b-1.1", BroadcastId = "b-1", From = "api", Text = "ok", ThreadId = "t" });
        pending.Observe(new ErrMessage { Code = ErrorCodes.PeerGone, Message = "gone", AskId = "b-1.3", BroadcastId = "b-1", To = "db" });
        pending.AddAsk("a-1", "x", "q", null, Minute);
        pending.Accepted("a-1", null);

        var lost = Assert.Single(pending.DrainBroadcastsAsLost());
        Assert.Equal((ErrorCodes.HubUnreachable, null, "web", "b-1"), (lost.Code, lost.AskId, lost.To, lost.BroadcastId));
        Assert.Equal(1, pending.Count);
    }

    [Fact]
    public void Replies_seen_before_the_broadcast_is_recorded_still_count()
    {
        var pending = new PendingAsks(_clock);
        pending.Observe(new IncomingReplyMessage { AskId = "b-1.1", BroadcastId = "b-1", From = "api", Text = "fast", ThreadId = "t" });
        pending.AddBroadcast("b-1", ["api", "web"]);

        Assert.Equal(["web"], pending.DrainAsLost().Select(e => e.To));
    }

    [Fact]
    public void A_broadcast_every_target_has_ended_is_forgotten()
    {
        var pending = new PendingAsks(_clock);
        pending.AddBroadcast("b-1", ["api"]);
        var (_, summary) = pending.Observe(new IncomingReplyMessage { AskId = "b-1.1", BroadcastId = "b-1", From = "api", Text = "ok", ThreadId = "t" });
        Assert.NotNull(summary);
        pending.AddBroadcast("b-2", []);

        Assert.Empty(pending.DrainAsLost());
    }

    [Fact]
    public void An_ending_for_an_ask_an_earlier_channel_of_this_session_made_is_passed_on_but_one_that_ended_here_is_not()
    {
        var pending = Accepted("a-1");
        pending.RemoveAsk("a-1"); // its tool call failed: a late ending must not reach the model
        Assert.False(pending.Observe(new IncomingReplyMessage { AskId = "a-1", From = "x", Text = "late", ThreadId = "t" }).Pass);

        // Asked before this channel process started (the hub kept the reply while the session was away).
        Assert.True(pending.Observe(new IncomingReplyMessage { AskId = "a-old", From = "x", Text = "kept for you", ThreadId = "t" }).Pass);
        Assert.True(pending.Observe(new ErrMessage { Code = ErrorCodes.Timeout, Message = "no reply", AskId = "a-older", To = "x" }).Pass);
        Assert.False(pending.Observe(new AskStatusMessage { AskId = "a-old2", Status = AskStates.Delivered, To = "x", ThreadId = "t" }).Pass);
    }

    [Fact]
    public void The_memory_of_ended_asks_is_bounded()
    {
        var pending = new PendingAsks(_clock);
        for (var i = 0; i <= PendingAsks.EndedMemory; i++)
        {
            pending.AddAsk("a-" + i, "x", "q", null, Minute);
            pending.RemoveAsk("a-" + i);
        }

        // The oldest one is forgotten; the newest is still known as ended here.
        Assert.True(pending.Observe(new IncomingReplyMessage { AskId = "a-0", From = "x", Text = "?", ThreadId = "t" }).Pass);
        Assert.False(pending.Observe(new IncomingReplyMessage { AskId = "a-" + PendingAsks.EndedMemory, From = "x", Text = "?", ThreadId = "t" }).Pass);
    }
}
