namespace Relay.Hub.Nats;

/// <summary>
/// Decides when a remote peer's presence has expired, telling a peer that stopped refreshing from a space this hub
/// cannot currently hear. This hub's own heartbeat comes back through the same bucket watch as everyone else's, so:
/// <list type="bullet">
/// <item>While our own heartbeat keeps arriving, the view is healthy and a remote peer silent for the TTL is gone.</item>
/// <item>When our own heartbeat stops too (the NATS link is down, or the cluster is electing a leader after losing a
/// node), the silence is ours, not the peer's: nobody expires for the length of the blip. When our heartbeat comes
/// back, every remote peer gets a full TTL from that moment to be heard again.</item>
/// <item>Past <c>TTL + blip grace</c> of silence a remote peer is gone anyway (a host cut off for long loses its
/// remote peers too).</item>
/// </list>
/// Pure logic on times passed in; callers serialize access.
/// </summary>
internal sealed class PresenceLiveness
{
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private DateTimeOffset? _ownSeen;
    private DateTimeOffset _resumedAt;

    public PresenceLiveness(TimeSpan ttl)
    {
        Ttl = ttl;
        Heartbeat = ttl / 3;
        BlipGrace = TimeSpan.FromTicks(Math.Max(2 * ttl.Ticks, TimeSpan.FromSeconds(20).Ticks));
    }

    public TimeSpan Ttl { get; }

    public TimeSpan Heartbeat { get; }

    /// <summary>How long past the TTL a silent peer is kept while this hub cannot hear its own heartbeat either.</summary>
    public TimeSpan BlipGrace { get; }

    /// <summary>When this hub's own heartbeat was last heard (its write time, on this hub's clock), if ever.</summary>
    public DateTimeOffset? OwnSeen => _ownSeen;

    /// <summary>True while our own heartbeat arrives on time: silence of others is then theirs.</summary>
    public bool Healthy(DateTimeOffset now) => _ownSeen is { } own && now - own <= 2 * Heartbeat;

    /// <summary>Our own heartbeat, written at <paramref name="writtenAt"/>, came back through the watch.</summary>
    public void OwnHeard(DateTimeOffset writtenAt)
    {
        if (_ownSeen is not { } own || writtenAt - own > 2 * Heartbeat)
        {
            // First heard, or heard again after a gap: remote peers are judged from here on.
            _resumedAt = writtenAt;
        }

        if (_ownSeen is null || writtenAt > _ownSeen)
        {
            _ownSeen = writtenAt;
        }
    }

    /// <summary>A remote peer's presence, written at <paramref name="writtenAt"/>, arrived.</summary>
    public void Heard(string address, DateTimeOffset writtenAt)
    {
        if (!_seen.TryGetValue(address, out var seen) || writtenAt > seen)
        {
            _seen[address] = writtenAt;
        }
    }

    public void Forget(string address) => _seen.Remove(address);

    /// <summary>Whether <paramref name="address"/> has expired at <paramref name="now"/>; an expired one is forgotten.</summary>
    public bool Expire(string address, DateTimeOffset now)
    {
        bool expired;
        if (!_seen.TryGetValue(address, out var seen))
        {
            expired = true;
        }
        else if (now - seen > Ttl + BlipGrace)
        {
            expired = true;
        }
        else
        {
            var from = seen > _resumedAt ? seen : _resumedAt;
            expired = Healthy(now) && now - from > Ttl;
        }

        if (expired)
        {
            _seen.Remove(address);
        }

        return expired;
    }
}
