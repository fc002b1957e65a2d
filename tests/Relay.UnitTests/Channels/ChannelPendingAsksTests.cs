using Relay.Channels;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Channels;

/// <summary>The channel's record of its own unanswered asks, ended as hub_unreachable when the hub dies.</summary>
public sealed class ChannelPendingAsksTests
{
    [Fact]
    public void A_reply_or_an_error_ends_an_ask_and_the_rest_are_lost_with_the_hub()
    {
        var pending = new PendingAsks();
        pending.AddAsk("a-1", "api");
        pending.AddAsk("a-2", "web");
        pending.AddAsk("a-3", "db");
        pending.AddAsk("a-4", "ops");
        pending.Observe(new IncomingReplyMessage { AskId = "a-1", From = "api", Text = "done", ThreadId = "t" });
        pending.Observe(new ErrMessage { Code = ErrorCodes.Timeout, Message = "late", AskId = "a-2", To = "web" });
        pending.RemoveAsk("a-3");
        pending.Observe(new AckMessage { AskId = "a-4" });

        var lost = Assert.Single(pending.DrainAsLost());
        Assert.Equal((ErrorCodes.HubUnreachable, "a-4", "ops", null), (lost.Code, lost.AskId, lost.To, lost.BroadcastId));
        Assert.Empty(pending.DrainAsLost());
    }

    [Fact]
    public void A_broadcast_loses_only_the_targets_that_have_not_answered()
    {
        var pending = new PendingAsks();
        pending.AddBroadcast("b-1", ["api", "web", "db"]);
        pending.Observe(new IncomingReplyMessage { AskId = "b-1.1", BroadcastId = "b-1", From = "api", Text = "ok", ThreadId = "t" });
        pending.Observe(new ErrMessage { Code = ErrorCodes.PeerGone, Message = "gone", AskId = "b-1.3", BroadcastId = "b-1", To = "db" });

        var lost = Assert.Single(pending.DrainAsLost());
        Assert.Equal((ErrorCodes.HubUnreachable, null, "web", "b-1"), (lost.Code, lost.AskId, lost.To, lost.BroadcastId));
    }

    [Fact]
    public void Replies_seen_before_the_broadcast_is_recorded_still_count()
    {
        var pending = new PendingAsks();
        pending.Observe(new IncomingReplyMessage { AskId = "b-1.1", BroadcastId = "b-1", From = "api", Text = "fast", ThreadId = "t" });
        pending.AddBroadcast("b-1", ["api", "web"]);

        Assert.Equal(["web"], pending.DrainAsLost().Select(e => e.To));
    }

    [Fact]
    public void A_broadcast_every_target_has_ended_is_forgotten()
    {
        var pending = new PendingAsks();
        pending.AddBroadcast("b-1", ["api"]);
        pending.Observe(new IncomingReplyMessage { AskId = "b-1.1", BroadcastId = "b-1", From = "api", Text = "ok", ThreadId = "t" });
        pending.AddBroadcast("b-2", []);

        Assert.Empty(pending.DrainAsLost());
    }
}
