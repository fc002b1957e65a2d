namespace Relay.Hub;

/// <summary>
/// A token bucket: holds up to <c>burst</c> tokens, refills at <c>ratePerSecond</c>, and a take succeeds while a
/// whole token is there. Time comes from a <see cref="TimeProvider"/> so tests can drive it. Not thread-safe (the
/// router's lock guards it).
/// </summary>
internal sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly double _burst;
    private readonly double _ratePerSecond;
    private double _tokens;
    private long _refilledAt;

    public TokenBucket(int burst, double ratePerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _burst = burst;
        _ratePerSecond = ratePerSecond;
        _tokens = burst;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Tokens available now (fractional while refilling).</summary>
    public double Available
    {
        get
        {
            Refill();
            return _tokens;
        }
    }

    /// <summary>Takes one token; false (and nothing taken) when the bucket is empty.</summary>
    public bool TryTake()
    {
        Refill();
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_refilledAt, now).TotalSeconds;
        _refilledAt = now;
        if (elapsed > 0)
        {
            _tokens = Math.Min(_burst, _tokens + (elapsed * _ratePerSecond));
        }
    }
}
