namespace Relay.Channels;

/// <summary>
/// The target's side of surviving a hub restart: which asks this session was already shown, and the reply it wrote to
/// each. An asker re-submits its pending asks to a new hub with the same <c>ask_id</c>; an id found here is not shown
/// to the model again, and when its reply is known the reply is sent again instead. A reply written while the hub is
/// away, or refused <c>unknown_ask</c> by a new hub the asker has not re-submitted to yet, waits here
/// (<see cref="Waiting"/>) until it can be sent.
/// Bounded: at most <see cref="MaxEntries"/> asks, none older than <see cref="MaxAge"/> (the longest ask lifetime);
/// reply texts kept after they were sent take at most <see cref="MaxSentBytes"/> (the oldest texts go first); and at
/// most <see cref="MaxWaiting"/> replies / <see cref="MaxWaitingBytes"/> wait unsent (more is refused, never dropped).
/// </summary>
internal sealed class SeenAsks(TimeProvider time)
{
    public const int MaxEntries = 10_000;
    public const int MaxWaiting = 1_000;
    public const long MaxWaitingBytes = 16L * 1024 * 1024;
    public const long MaxSentBytes = 32L * 1024 * 1024;

    /// <summary>An ask lives at most 24 h at the hub; a minute more covers a re-submission in flight.</summary>
    public static readonly TimeSpan MaxAge = Relay.Protocol.Limits.MaxAskTimeout + TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _order = new();
    private long _waitingBytes;
    private int _waiting;
    private long _sentBytes;

    public SeenAsks()
        : this(TimeProvider.System)
    {
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// An incoming ask arrived from the hub of connection <paramref name="epoch"/>. Returns null the first time (show
    /// it to the model); for an ask seen before, its record (do not show it again; re-send its reply if it has one).
    /// </summary>
    public Seen? Arrived(string askId, int epoch)
    {
        lock (_gate)
        {
            Trim();
            if (_entries.TryGetValue(askId, out var known))
            {
                known.Epoch = epoch;
                return new Seen(known.AskId, known.Reply, known.State);
            }

            var entry = new Entry(askId, time.GetUtcNow()) { Epoch = epoch };
            entry.Node = _order.AddLast(entry);
            _entries[askId] = entry;
            return null;
        }
    }

    /// <summary>The connection epoch an ask was last delivered on; null when it is not known here.</summary>
    public int? EpochOf(string askId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(askId, out var entry) ? entry.Epoch : null;
        }
    }

    /// <summary>
    /// Keeps a reply that a hub refused or could not take, in one step with <see cref="Arrived"/>.
    /// <paramref name="arrivedOn"/> is the connection epoch the ask had when the reply was sent: when it arrived again
    /// since (a re-submission that raced the refusal), nothing is kept and the caller sends the reply again now;
    /// otherwise the re-submission, when it comes, finds the reply here. <c>Full</c> (nothing kept) when the waiting
    /// replies are at their bound.
    /// </summary>
    public HoldResult TryHold(string askId, string text, int arrivedOn)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(askId, out var known) && known.Epoch > arrivedOn)
            {
                return HoldResult.ArrivedAgain;
            }

            var entry = GetOrAdd(askId);
            if (entry.State == ReplyState.Waiting)
            {
                Release(entry);
            }

            var bytes = Bytes(text);
            if (_waiting + 1 > MaxWaiting || _waitingBytes + bytes > MaxWaitingBytes)
            {
                return HoldResult.Full;
            }

            ClearSent(entry);
            entry.Reply = text;
            entry.State = ReplyState.Waiting;
            _waiting++;
            _waitingBytes += bytes;
            return HoldResult.Held;
        }
    }

    /// <summary>The hub took the reply: keep its text (bounded) in case the asker re-submits after a hub restart.</summary>
    public void Sent(string askId, string text)
    {
        lock (_gate)
        {
            var entry = GetOrAdd(askId);
            if (entry.State == ReplyState.Waiting)
            {
                Release(entry);
            }

            ClearSent(entry);
            entry.Reply = text;
            entry.State = ReplyState.Sent;
            _sentBytes += Bytes(text);
            while (_sentBytes > MaxSentBytes && Enumerable.FirstOrDefault(_order, e => e.State == ReplyState.Sent) is { } oldest)
            {
                ClearSent(oldest);
                oldest.State = ReplyState.Forgotten;
            }
        }
    }

    /// <summary>A waiting reply that will never be taken (the hub refused it for good): forget its text.</summary>
    public void Drop(string askId)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(askId, out var entry) && entry.State == ReplyState.Waiting)
            {
                Release(entry);
                entry.State = ReplyState.None;
            }
        }
    }

    /// <summary>The replies waiting to be sent, oldest first.</summary>
    public List<(string AskId, string Text)> Waiting()
    {
        lock (_gate)
        {
            Trim();
            return [.. _order.Where(e => e.State == ReplyState.Waiting).Select(e => (e.AskId, e.Reply!))];
        }
    }

    private Entry GetOrAdd(string askId)
    {
        Trim();
        if (_entries.TryGetValue(askId, out var entry))
        {
            return entry;
        }

        entry = new Entry(askId, time.GetUtcNow()) { Epoch = -1 };
        entry.Node = _order.AddLast(entry);
        _entries[askId] = entry;
        return entry;
    }

    private void Trim()
    {
        var oldestAllowed = time.GetUtcNow() - MaxAge;
        while (_order.First is { } first && first.Value.At < oldestAllowed)
        {
            Remove(first.Value);
        }

        // Leave room for one more; a reply still waiting to be sent is never let go for room (it is bounded apart).
        var node = _order.First;
        while (_entries.Count >= MaxEntries && node is not null)
        {
            var next = node.Next;
            if (node.Value.State != ReplyState.Waiting)
            {
                Remove(node.Value);
            }

            node = next;
        }
    }

    private void Remove(Entry entry)
    {
        if (entry.State == ReplyState.Waiting)
        {
            Release(entry);
        }

        ClearSent(entry);
        _order.Remove(entry.Node!);
        _entries.Remove(entry.AskId);
    }

    private void Release(Entry entry)
    {
        _waiting--;
        _waitingBytes -= Bytes(entry.Reply!);
        entry.Reply = null;
    }

    private void ClearSent(Entry entry)
    {
        if (entry.State == ReplyState.Sent && entry.Reply is { } text)
        {
            _sentBytes -= Bytes(text);
            entry.Reply = null;
        }
    }

    private static long Bytes(string text) => System.Text.Encoding.UTF8.GetByteCount(text);

    public enum HoldResult
    {
        /// <summary>Kept; sent after the next registration or when the ask arrives again.</summary>
        Held,

        /// <summary>Not kept: the waiting replies are at their bound.</summary>
        Full,

        /// <summary>Not kept: the ask arrived again meanwhile, so the hub knows it now; send the reply again.</summary>
        ArrivedAgain,
    }

    public enum ReplyState
    {
        /// <summary>No reply written yet.</summary>
        None,

        /// <summary>Written, not yet taken by a hub (it was away, or the asker had not re-submitted).</summary>
        Waiting,

        /// <summary>Taken by a hub; the text is kept for a re-submission.</summary>
        Sent,

        /// <summary>Taken by a hub; the text was let go to stay inside the memory bound.</summary>
        Forgotten,
    }

    /// <summary>What is known of an ask seen before: its reply text when one is kept.</summary>
    public sealed record Seen(string AskId, string? Reply, ReplyState State);

    private sealed class Entry(string askId, DateTimeOffset at)
    {
        public string AskId { get; } = askId;

        public DateTimeOffset At { get; } = at;

        public int Epoch { get; set; }

        public string? Reply { get; set; }

        public ReplyState State { get; set; }

        public LinkedListNode<Entry>? Node { get; set; }
    }
}
