namespace Relay.Hub.Nats;

/// <summary>
/// The asks from other hosts this hub took lately, so that an ask arriving twice is delivered once. It arrives twice
/// when it was sent live, taken here, and the sending hub did not learn that in time (the acknowledgement was slow or
/// lost with a connection): the sender then puts it in the stream too. Each ask is kept for
/// <see cref="Window"/> (the stream's own duplicate window) or until <see cref="Capacity"/> newer ones push it out.
/// Thread-safe (the live subscription and the stream consumer both use it).
/// </summary>
internal sealed class RecentAsks
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    public const int Capacity = 65_536;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, DateTimeOffset At)> _order = new();

    public RecentAsks(TimeProvider time) => _time = time;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _keys.Count;
            }
        }
    }

    /// <summary>True the first time <paramref name="askId"/> from <paramref name="fromHost"/> is seen in the window.</summary>
    public bool TryTake(string fromHost, string askId)
    {
        var now = _time.GetUtcNow();
        var key = fromHost + "/" + askId;
        lock (_gate)
        {
            while (_order.Count > 0 && (now - _order.Peek().At >= Window || _order.Count >= Capacity))
            {
                _keys.Remove(_order.Dequeue().Key);
            }

            if (!_keys.Add(key))
            {
                return false;
            }

            _order.Enqueue((key, now));
            return true;
        }
    }
}
