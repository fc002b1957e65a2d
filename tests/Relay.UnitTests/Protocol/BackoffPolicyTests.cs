using Relay.Runtime.Client;
using Xunit;

namespace Relay.UnitTests.Protocol;

public sealed class BackoffPolicyTests
{
    [Fact]
    public void Reconnect_retries_at_once_then_backs_off_to_ten_seconds()
    {
        var delays = Enumerable.Range(0, 9).Select(BackoffPolicy.Reconnect.Delay).Select(d => d.TotalMilliseconds).ToList();
        Assert.Equal([0, 100, 500, 1500, 5000, 10_000, 10_000, 10_000, 10_000], delays);
    }

    [Fact]
    public void Spawn_poll_stays_at_a_few_milliseconds()
    {
        var delays = Enumerable.Range(1, 6).Select(BackoffPolicy.SpawnPoll.Delay).Select(d => d.TotalMilliseconds).ToList();
        Assert.Equal([1, 2, 4, 4, 4, 4], delays);
    }

    [Fact]
    public void A_policy_needs_steps_and_none_negative()
    {
        Assert.Throws<ArgumentException>(() => new BackoffPolicy());
        Assert.Throws<ArgumentException>(() => new BackoffPolicy(TimeSpan.FromSeconds(-1)));
        Assert.Equal(TimeSpan.Zero, new BackoffPolicy(TimeSpan.FromSeconds(3)).Delay(0));
    }
}
