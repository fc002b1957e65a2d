namespace Relay.Bench.Infra;

/// <summary>
/// Hands a timestamp from a reader thread to the waiting driver. A kernel-backed event, not a spinning one: on 2
/// cores a spinning waiter would steal the CPU the measured processes need.
/// </summary>
internal sealed class Arrival : IDisposable
{
    private readonly AutoResetEvent _event = new(false);
    private long _timestamp;

    public void Arrived(long timestamp)
    {
        Volatile.Write(ref _timestamp, timestamp);
        _event.Set();
    }

    /// <summary>The timestamp of the next arrival, or null after <paramref name="timeout"/>.</summary>
    public long? Wait(TimeSpan timeout) => _event.WaitOne(timeout) ? Volatile.Read(ref _timestamp) : null;

    public void Dispose() => _event.Dispose();
}
