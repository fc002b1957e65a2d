using Microsoft.Extensions.Time.Testing;
using Relay.Hub;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary>A peer flooding asks is throttled with <c>rate_limited</c>; other peers are not.</summary>
public sealed class HubRateLimitTests
{
    [Fact]
    public void The_bucket_allows_a_burst_then_refills_at_the_rate_and_never_beyond_the_burst()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(burst: 3, ratePerSecond: 2, clock);

        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.False(bucket.TryTake());
        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(3, bucket.Available, precision: 6);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(bucket.TryTake());
        }

        Assert.False(bucket.TryTake());
    }

    [Fact]
    public void A_sustained_flood_gets_exactly_the_rate()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(burst: 200, ratePerSecond: 100, clock);
        var granted = 0;
        // 10 s of a peer trying 1,000 asks per second, one every millisecond.
        for (var ms = 0; ms < 10_000; ms++)
        {
            if (bucket.TryTake())
            {
                granted++;
            }

            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(granted, 200 + 999, 200 + 1_001);
    }

    [Fact]
    public void The_defaults_and_the_environment_knobs()
    {
        var defaults = HubOptions.FromEnvironment("/tmp/x.sock");
        Assert.Equal(Limits.AskBurst, defaults.AskBurst);
        Assert.Equal(Limits.AskRatePerSecond, defaults.AskRatePerSecond);
        Assert.Equal(Limits.MaxPendingAsksPerPeer, defaults.MaxPendingAsksPerPeer);
        Assert.Equal(200, Limits.AskBurst);
        Assert.Equal(100, Limits.AskRatePerSecond);
        Assert.Equal(10_000, Limits.MaxPendingAsksPerPeer);
    }

    [Fact]
    public async Task Over_the_burst_an_ask_gets_rate_limited_with_its_ids_and_is_not_delivered_while_others_are_served()
    {
        await using var world = await HubWorld.StartAsync(new Dictionary<string, string?>
        {
            [HubOptions.AskBurstVariable] = "5",
            [HubOptions.AskRateVariable] = "1",
        });
        var flooder = await world.PeerAsync("flooder");
        var target = await world.PeerAsync("target");
        var calm = await world.PeerAsync("calm");

        for (var i = 0; i < 5; i++)
        {
            await flooder.RequestAsync<AckMessage>(new AskMessage { To = "target", Question = "q" + i, AskId = "f-" + i });
        }

        var err = await flooder.RequestErrAsync(new AskMessage { To = "target", Question = "one too many", AskId = "f-5" }, ErrorCodes.RateLimited);
        Assert.Equal("f-5", err.AskId);
        Assert.Contains("per second", err.Message, StringComparison.Ordinal);
        // A broadcast takes a token too.
        await flooder.RequestErrAsync(new BroadcastMessage { Question = "all?" }, ErrorCodes.RateLimited);

        // Exactly the five accepted asks reached the target.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("f-" + i, (await target.NextAsync<IncomingAskMessage>()).AskId);
        }

        await target.ExpectNoMessageAsync();

        // Another peer has its own bucket.
        await calm.RequestAsync<AckMessage>(new AskMessage { To = "target", Question = "hello", AskId = "c-1" });
        Assert.Equal("c-1", (await target.NextAsync<IncomingAskMessage>()).AskId);

        // The bucket refills at 1 per second.
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        await flooder.RequestAsync<AckMessage>(new AskMessage { To = "target", Question = "later", AskId = "f-6" });
        Assert.Equal("f-6", (await target.NextAsync<IncomingAskMessage>()).AskId);
    }

    [Fact]
    public async Task Pending_asks_per_asker_are_bounded_and_a_reply_makes_room()
    {
        await using var world = await HubWorld.StartAsync(new Dictionary<string, string?>
        {
            [HubOptions.MaxPendingAsksVariable] = "3",
            [HubOptions.AskRateVariable] = "0",
        });
        var asker = await world.PeerAsync("asker");
        var bob = await world.PeerAsync("bob");
        var carol = await world.PeerAsync("carol");

        for (var i = 0; i < 3; i++)
        {
            await asker.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-" + i });
        }

        var err = await asker.RequestErrAsync(new AskMessage { To = "carol", Question = "q", AskId = "a-3" }, ErrorCodes.RateLimited);
        Assert.Equal("a-3", err.AskId);
        Assert.Contains("pending", err.Message, StringComparison.Ordinal);

        for (var i = 0; i < 3; i++)
        {
            await bob.NextAsync<IncomingAskMessage>();
        }

        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-0", Text = "done" });
        Assert.Equal("a-0", (await asker.NextAsync<IncomingReplyMessage>()).AskId);

        // Room for one more ask, not for a broadcast to two peers.
        await asker.RequestErrAsync(new BroadcastMessage { Question = "all?" }, ErrorCodes.RateLimited);
        await asker.RequestAsync<AckMessage>(new AskMessage { To = "carol", Question = "q", AskId = "a-3" });
        Assert.Equal("a-3", (await carol.NextAsync<IncomingAskMessage>()).AskId);

        // The bound is the asker's own: bob may still ask.
        await bob.RequestAsync<AckMessage>(new AskMessage { To = "asker", Question = "q", AskId = "b-0" });
    }
}
