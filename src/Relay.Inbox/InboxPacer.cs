namespace Relay.Inbox;

/// <summary>
/// A token bucket matching Claude Code's per-sender inbox limit: a burst of <see cref="Burst"/> messages, then one per
/// <see cref="Interval"/>. Not thread-safe; <see cref="InboxOutbox"/> keeps one per target under its lock.
/// </summary>
public sealed class InboxPacer
{
    private readonly TimeProvider _time;
    private double _tokens;
    private long _lastRefill;

    public InboxPacer(TimeProvider time, int burst = DefaultBurst, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = time;
        Burst = burst;
        Interval = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Interval, TimeSpan.Zero);
        _tokens = burst;
        _lastRefill = time.GetTimestamp();
    }

    public const int DefaultBurst = 30;

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    public int Burst { get; }

    public TimeSpan Interval { get; }

    /// <summary>True when the bucket is full again, so forgetting it changes nothing.</summary>
    public bool IsIdle
    {
        get
        {
            Refill();
            return _tokens >= Burst;
        }
    }

    /// <summary>Takes a token when one is available (returns zero), else returns how long until the next one.</summary>
    public TimeSpan TryTake()
    {
        Refill();
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return TimeSpan.Zero;
        }

        var wait = TimeSpan.FromTicks((long)Math.Ceiling((1 - _tokens) * Interval.Ticks));
        return wait > TimeSpan.Zero ? wait : TimeSpan.FromTicks(1);
    }

    /// <summary>Gives a token back (the message never reached the receiver, so its limit did not count it).</summary>
    public void Refund() => _tokens = Math.Min(Burst, _tokens + 1);

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_lastRefill, now);
        _lastRefill = now;
        _tokens = Math.Min(Burst, _tokens + (elapsed.Ticks / (double)Interval.Ticks));
    }
}
