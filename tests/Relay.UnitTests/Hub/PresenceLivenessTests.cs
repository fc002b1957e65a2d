using Relay.Hub.Nats;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>When a remote peer's presence expires: its own silence, not a blip that silences this hub too.</summary>
public sealed class PresenceLivenessTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(15);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Our own heartbeat heard every third of the TTL from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private static void OwnHeartbeats(PresenceLiveness liveness, DateTimeOffset from, DateTimeOffset to)
    {
        for (var t = from; t <= to; t += liveness.Heartbeat)
        {
            liveness.OwnHeard(t);
        }
    }

    [Fact]
    public void A_peer_silent_for_the_ttl_while_our_heartbeat_flows_is_gone()
    {
        var liveness = new PresenceLiveness(Ttl);
        OwnHeartbeats(liveness, T0, T0 + TimeSpan.FromSeconds(10));
        liveness.Heard("bob@hb", T0 + TimeSpan.FromSeconds(10));

        OwnHeartbeats(liveness, T0 + TimeSpan.FromSeconds(15), T0 + TimeSpan.FromSeconds(24));
        Assert.False(liveness.Expire("bob@hb", T0 + TimeSpan.FromSeconds(24)));
        OwnHeartbeats(liveness, T0 + TimeSpan.FromSeconds(25), T0 + TimeSpan.FromSeconds(26));
        Assert.True(liveness.Expire("bob@hb", T0 + TimeSpan.FromSeconds(26)));
        // Forgotten once expired: it stays expired until heard again.
        Assert.True(liveness.Expire("bob@hb", T0 + TimeSpan.FromSeconds(26)));
    }

    [Fact]
    public void A_blip_that_silences_our_own_heartbeat_expires_nobody_and_gives_a_full_ttl_after_it()
    {
        var liveness = new PresenceLiveness(Ttl);
        OwnHeartbeats(liveness, T0, T0 + TimeSpan.FromSeconds(10));
        liveness.Heard("bob@hb", T0 + TimeSpan.FromSeconds(10));

        // The cluster loses a node: nothing is heard for 20 s, ours included.
        var during = T0 + TimeSpan.FromSeconds(30);
        Assert.False(liveness.Healthy(during));
        Assert.False(liveness.Expire("bob@hb", during));

        // Ours comes back first; bob has a full TTL from then to be heard again.
        var back = T0 + TimeSpan.FromSeconds(31);
        OwnHeartbeats(liveness, back, back + TimeSpan.FromSeconds(14));
        Assert.True(liveness.Healthy(back + TimeSpan.FromSeconds(14)));
        Assert.False(liveness.Expire("bob@hb", back + TimeSpan.FromSeconds(14)));
        liveness.Heard("bob@hb", back + TimeSpan.FromSeconds(3));
        OwnHeartbeats(liveness, back + TimeSpan.FromSeconds(15), back + TimeSpan.FromSeconds(19));
        Assert.True(liveness.Expire("bob@hb", back + TimeSpan.FromSeconds(19)));
    }

    [Fact]
    public void A_peer_silent_past_the_ttl_and_the_blip_grace_is_gone_even_when_we_hear_nothing()
    {
        var liveness = new PresenceLiveness(Ttl);
        Assert.Equal(TimeSpan.FromSeconds(30), liveness.BlipGrace);
        OwnHeartbeats(liveness, T0, T0 + TimeSpan.FromSeconds(10));
        liveness.Heard("bob@hb", T0 + TimeSpan.FromSeconds(10));

        // This hub is cut off: its own heartbeat stops too.
        Assert.False(liveness.Expire("bob@hb", T0 + TimeSpan.FromSeconds(54)));
        Assert.True(liveness.Expire("bob@hb", T0 + TimeSpan.FromSeconds(56)));
    }

    [Fact]
    public void A_peer_never_heard_is_expired_and_an_older_record_does_not_move_the_last_heard_time_back()
    {
        var liveness = new PresenceLiveness(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(20), liveness.BlipGrace);
        Assert.True(liveness.Expire("nobody@hb", T0));

        OwnHeartbeats(liveness, T0, T0 + TimeSpan.FromSeconds(5));
        liveness.Heard("bob@hb", T0 + TimeSpan.FromSeconds(4));
        liveness.Heard("bob@hb", T0);
        Assert.False(liveness.Expire("bob@hb", T0 + TimeSpan.FromSeconds(5)));
        liveness.Forget("bob@hb");
        Assert.True(liveness.Expire("bob@hb", T0 + TimeSpan.FromSeconds(5)));
    }
}
