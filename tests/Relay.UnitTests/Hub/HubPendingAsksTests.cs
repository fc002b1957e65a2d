using Relay.Hub;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>The hub's table of pending asks, indexed by target and ask id and by asker.</summary>
public sealed class HubPendingAsksTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_ask_is_indexed_from_both_ends_and_ids_are_unique_per_target()
    {
        var pending = new PendingAsks();
        var (alice, bob, carol) = (Peer(), Peer(), Peer());
        var ask = Ask("a-1", alice, bob);

        Assert.True(pending.TryAdd(ask));
        Assert.False(pending.TryAdd(Ask("a-1", carol, bob)));
        Assert.True(pending.TryAdd(Ask("a-1", alice, carol)));
        Assert.Equal(2, pending.Count);
        Assert.Same(ask, bob.AsksTo["a-1"]);
        Assert.Equal(2, alice.AsksFrom.Count);
        Assert.Empty(carol.AsksFrom);
    }

    [Fact]
    public void Take_finds_an_ask_only_through_its_target_and_stops_its_timer()
    {
        var pending = new PendingAsks();
        var (alice, bob) = (Peer(), Peer());
        var timer = new FakeTimer();
        var ask = Ask("a-1", alice, bob, timer);
        pending.TryAdd(ask);

        Assert.Null(pending.Take(alice, "a-1"));
        Assert.Same(ask, pending.Take(bob, "a-1"));
        Assert.Null(pending.Take(bob, "a-1"));
        Assert.Equal(0, pending.Count);
        Assert.Empty(alice.AsksFrom);
        Assert.True(timer.Disposed);
        Assert.Null(ask.Timer);
    }

    [Fact]
    public void Remove_removes_only_the_very_ask_still_pending()
    {
        var pending = new PendingAsks();
        var (alice, bob) = (Peer(), Peer());
        var first = Ask("a-1", alice, bob);
        pending.TryAdd(first);
        pending.Take(bob, "a-1");
        var second = Ask("a-1", alice, bob);
        pending.TryAdd(second);

        // A late timer of the first ask must not end the second one, which reuses its id.
        Assert.False(pending.Remove(first));
        Assert.Equal(1, pending.Count);
        Assert.True(pending.Remove(second));
        Assert.False(pending.Remove(second));
        Assert.Equal(0, pending.Count);
        Assert.Empty(bob.AsksTo);
        Assert.Empty(alice.AsksFrom);
    }

    [Fact]
    public void Taking_all_asks_to_or_from_a_peer_clears_the_other_ends_too()
    {
        var pending = new PendingAsks();
        var (alice, bob, carol) = (Peer(), Peer(), Peer());
        var timers = new[] { new FakeTimer(), new FakeTimer(), new FakeTimer() };
        pending.TryAdd(Ask("a-1", alice, bob, timers[0]));
        pending.TryAdd(Ask("c-1", carol, bob, timers[1]));
        pending.TryAdd(Ask("b-1", bob, carol, timers[2]));

        var toBob = pending.TakeAllTo(bob);
        Assert.Equal(["a-1", "c-1"], toBob.Select(a => a.AskId).Order(StringComparer.Ordinal));
        Assert.Empty(bob.AsksTo);
        Assert.Empty(alice.AsksFrom);
        Assert.Empty(carol.AsksFrom);
        Assert.Equal(1, pending.Count);

        var fromBob = Assert.Single(pending.TakeAllFrom(bob));
        Assert.Equal("b-1", fromBob.AskId);
        Assert.Empty(carol.AsksTo);
        Assert.Empty(bob.AsksFrom);
        Assert.Equal(0, pending.Count);
        Assert.All(timers, t => Assert.True(t.Disposed));
    }

    private static FakePeer Peer() => new(s_now);

    private static PendingAsk Ask(string askId, FakePeer asker, FakePeer target, ITimer? timer = null) => new()
    {
        AskId = askId,
        Asker = asker,
        Target = target,
        ThreadId = "t-1",
        StartedAt = 0,
        Timer = timer,
    };

    private sealed class FakeTimer : ITimer
    {
        public bool Disposed { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => !Disposed;

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
