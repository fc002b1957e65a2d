using Microsoft.Extensions.Time.Testing;
using Relay.Hub.Nats;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>The hub's memory of asks from other hosts it took, so an ask that came both live and through the stream is taken once.</summary>
public sealed class RecentAsksTests
{
    [Fact]
    public void An_ask_is_taken_once_per_sending_host_within_the_window()
    {
        var time = new FakeTimeProvider();
        var recent = new RecentAsks(time);
        Assert.True(recent.TryTake("ha", "a-1"));
        Assert.False(recent.TryTake("ha", "a-1"));
        Assert.True(recent.TryTake("hc", "a-1"));

        time.Advance(RecentAsks.Window - TimeSpan.FromMilliseconds(1));
        Assert.False(recent.TryTake("ha", "a-1"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(recent.TryTake("ha", "a-1"));
    }

    [Fact]
    public void Past_its_capacity_the_oldest_asks_are_forgotten_first()
    {
        var recent = new RecentAsks(new FakeTimeProvider());
        for (var i = 0; i < RecentAsks.Capacity + 10; i++)
        {
            Assert.True(recent.TryTake("ha", "a-" + i));
        }

        Assert.Equal(RecentAsks.Capacity, recent.Count);
        Assert.True(recent.TryTake("ha", "a-0"));
        Assert.False(recent.TryTake("ha", "a-" + (RecentAsks.Capacity + 9)));
    }
}
