using Microsoft.Extensions.Time.Testing;
using Relay.Channels;
using Xunit;

namespace Relay.UnitTests.Channels;

/// <summary>The target's memory of asks shown and replies written, which makes re-submitted asks show at most once.</summary>
public sealed class SeenAsksTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_ask_is_shown_the_first_time_only()
    {
        var seen = new SeenAsks(_clock);
        Assert.Null(seen.Arrived("a-1", epoch: 1));
        var again = seen.Arrived("a-1", epoch: 2);
        Assert.NotNull(again);
        Assert.Equal((SeenAsks.ReplyState.None, null), (again.State, again.Reply));
        Assert.Equal(2, seen.EpochOf("a-1"));
        Assert.Null(seen.EpochOf("a-2"));
    }

    [Fact]
    public void A_sent_reply_is_kept_for_a_resubmission()
    {
        var seen = new SeenAsks(_clock);
        seen.Arrived("a-1", 1);
        seen.Sent("a-1", "yes");
        var again = seen.Arrived("a-1", 2);
        Assert.Equal((SeenAsks.ReplyState.Sent, "yes"), (again!.State, again.Reply));
    }

    [Fact]
    public void A_held_reply_waits_until_sent_or_dropped()
    {
        var seen = new SeenAsks(_clock);
        seen.Arrived("a-1", 1);
        Assert.Equal(SeenAsks.HoldResult.Held, seen.TryHold("a-1", "later", arrivedOn: 1));
        Assert.Equal(SeenAsks.HoldResult.Held, seen.TryHold("a-2", "for an ask this channel never saw", arrivedOn: 0));
        Assert.Equal([("a-1", "later"), ("a-2", "for an ask this channel never saw")], seen.Waiting());
        Assert.Equal(SeenAsks.ReplyState.Waiting, seen.Arrived("a-1", 2)!.State);

        seen.Sent("a-1", "later");
        seen.Drop("a-2");
        Assert.Empty(seen.Waiting());
    }

    [Fact]
    public void A_reply_is_not_kept_when_its_ask_arrived_again_since_it_was_sent_and_the_arrival_finds_a_kept_one()
    {
        var seen = new SeenAsks(_clock);
        seen.Arrived("a-1", 1);
        seen.Arrived("a-1", 2);
        Assert.Equal(SeenAsks.HoldResult.ArrivedAgain, seen.TryHold("a-1", "yes", arrivedOn: 1));
        Assert.Empty(seen.Waiting());

        Assert.Equal(SeenAsks.HoldResult.Held, seen.TryHold("a-1", "yes", arrivedOn: 2));
        Assert.Equal((SeenAsks.ReplyState.Waiting, "yes"), (seen.Arrived("a-1", 3)!.State, seen.Arrived("a-1", 3)!.Reply));
    }

    [Fact]
    public void Held_replies_are_bounded_and_over_the_bound_refused_not_dropped()
    {
        var seen = new SeenAsks(_clock);
        for (var i = 0; i < SeenAsks.MaxWaiting; i++)
        {
            Assert.Equal(SeenAsks.HoldResult.Held, seen.TryHold("a-" + i, "r", arrivedOn: 0));
        }

        Assert.Equal(SeenAsks.HoldResult.Full, seen.TryHold("a-over", "r", arrivedOn: 0));
        Assert.Equal(SeenAsks.MaxWaiting, seen.Waiting().Count);
        Assert.Equal("a-0", seen.Waiting()[0].AskId);

        var big = new string('x', 600 * 1024);
        var fresh = new SeenAsks(_clock);
        var kept = 0;
        while (fresh.TryHold("b-" + kept, big, arrivedOn: 0) == SeenAsks.HoldResult.Held)
        {
            kept++;
        }

        Assert.True(kept * 600L * 1024 <= SeenAsks.MaxWaitingBytes && (kept + 1) * 600L * 1024 > SeenAsks.MaxWaitingBytes);
    }

    [Fact]
    public void The_memory_is_bounded_by_count_and_age()
    {
        var seen = new SeenAsks(_clock);
        for (var i = 0; i < SeenAsks.MaxEntries + 50; i++)
        {
            seen.Arrived("a-" + i, 1);
        }

        Assert.Equal(SeenAsks.MaxEntries, seen.Count);
        Assert.Null(seen.EpochOf("a-0"));
        Assert.Equal(1, seen.EpochOf("a-" + (SeenAsks.MaxEntries + 49)));

        _clock.Advance(SeenAsks.MaxAge + TimeSpan.FromSeconds(1));
        Assert.Null(seen.Arrived("a-new", 2));
        Assert.Equal(1, seen.Count);
    }

    [Fact]
    public void Sent_reply_texts_beyond_the_byte_bound_are_let_go_oldest_first()
    {
        var seen = new SeenAsks(_clock);
        var text = new string('y', 512 * 1024);
        var count = (int)(SeenAsks.MaxSentBytes / (512 * 1024)) + 2;
        for (var i = 0; i < count; i++)
        {
            seen.Arrived("a-" + i, 1);
            seen.Sent("a-" + i, text);
        }

        Assert.Equal(SeenAsks.ReplyState.Forgotten, seen.Arrived("a-0", 2)!.State);
        Assert.Equal(SeenAsks.ReplyState.Sent, seen.Arrived("a-" + (count - 1), 2)!.State);
    }
}
