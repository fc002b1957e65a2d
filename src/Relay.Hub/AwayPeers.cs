namespace Relay.Hub;

/// <summary>
/// The away peers (<see cref="AwayPeer"/>) and the questions held for them, within <see cref="HoldBounds"/>: asks and
/// bytes per away peer, bytes in all, and how many away peers at once. Finds the one a registration returns to: the
/// same Claude Code session id when the peer that left had one, else (neither has one) the same name. Not
/// thread-safe (router lock); no timers here.
/// </summary>
internal sealed class AwayPeers(HoldBounds bounds) : IDisposable
{
    private readonly List<AwayPeer> _away = [];

    // Every message to a departed connection asks whether it is an away peer's: answered without a scan.
    private readonly Dictionary<IPeer, AwayPeer> _byGhost = new(ReferenceEqualityComparer.Instance);

    public int Count => _away.Count;

    /// <summary>Held question bytes across every away peer.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Held asks across every away peer.</summary>
    public int TotalAsks { get; private set; }

    public bool IsFull => _away.Count >= bounds.MaxAwayPeers;

    /// <summary>Every away peer, oldest departure first.</summary>
    public IReadOnlyList<AwayPeer> All => _away;

    /// <summary>Adds <paramref name="ghost"/> (a peer that just left) as away; the caller checked <see cref="IsFull"/>.</summary>
    public AwayPeer Add(IPeer ghost, DateTimeOffset leftAt, TimeSpan window)
    {
        var away = new AwayPeer(ghost, leftAt, window);
        _away.Add(away);
        _byGhost[ghost] = away;
        return away;
    }

    /// <summary>The away peer a registration of <paramref name="name"/> with <paramref name="sessionId"/> returns to.</summary>
    public AwayPeer? FindReturn(string name, string? sessionId)
    {
        for (var i = _away.Count - 1; i >= 0; i--)
        {
            var away = _away[i];
            if (away.SessionId is not null ? away.SessionId == sessionId : sessionId is null && away.Name == name)
            {
                return away;
            }
        }

        return null;
    }

    /// <summary>The away peer whose departed connection is <paramref name="ghost"/>.</summary>
    public AwayPeer? FindByGhost(IPeer ghost) => _byGhost.GetValueOrDefault(ghost);

    /// <summary>
    /// Counts a reply of <paramref name="bytes"/> for <paramref name="away"/>, an asker that is away, against the same
    /// per-peer and total bytes as held questions; null when it fits, else why not (nothing counted).
    /// </summary>
    public string? TryKeepReply(AwayPeer away, long bytes)
    {
        if (NoRoom(away, bytes, oneMoreAsk: false) is { } refusal)
        {
            return refusal;
        }

        away.HeldBytes += bytes;
        away.EndingBytes += bytes;
        TotalBytes += bytes;
        return null;
    }

    /// <summary>The latest away peer that left under <paramref name="name"/>.</summary>
    public AwayPeer? FindByName(string name)
    {
        for (var i = _away.Count - 1; i >= 0; i--)
        {
            if (_away[i].Name == name)
            {
                return _away[i];
            }
        }

        return null;
    }

    /// <summary>
    /// Counts <paramref name="ask"/>'s question (<paramref name="bytes"/> UTF-8 bytes) against <paramref name="away"/>;
    /// null when it fits, else why not (nothing counted).
    /// </summary>
    public string? TryHold(AwayPeer away, PendingAsk ask, long bytes)
    {
        if (ask.HeldBy is not null)
        {
            return null;
        }

        if (NoRoom(away, bytes, oneMoreAsk: true) is { } refusal)
        {
            return refusal;
        }

        ask.HeldBy = away;
        ask.HeldBytes = bytes;
        away.HeldAsks++;
        away.HeldBytes += bytes;
        TotalAsks++;
        TotalBytes += bytes;
        return null;
    }

    /// <summary>
    /// The one check of <see cref="HoldBounds"/> for <paramref name="bytes"/> more held for <paramref name="away"/> (and,
    /// when <paramref name="oneMoreAsk"/>, one more held ask): null when it fits, else why not.
    /// </summary>
    private string? NoRoom(AwayPeer away, long bytes, bool oneMoreAsk)
    {
        if (oneMoreAsk && away.HeldAsks + 1 > bounds.MaxAsksPerPeer)
        {
            return $"{away.Name} is away and already has {away.HeldAsks} asks held for it (at most {bounds.MaxAsksPerPeer})";
        }

        if (away.HeldBytes + bytes > bounds.MaxBytesPerPeer)
        {
            return $"{away.Name} is away and {(oneMoreAsk ? "the questions" : "what is")} held for it would pass {bounds.MaxBytesPerPeer} bytes";
        }

        if (TotalBytes + bytes > bounds.MaxTotalBytes)
        {
            return $"{away.Name} is away and the hub holds {TotalBytes} bytes {(oneMoreAsk ? "of questions " : "")}for away peers (at most {bounds.MaxTotalBytes})";
        }

        return null;
    }

    /// <summary>Stops counting <paramref name="ask"/>'s question (it was sent, or the ask ended); a no-op when not held.</summary>
    public void Release(PendingAsk ask)
    {
        if (ask.HeldBy is not { } away)
        {
            return;
        }

        away.HeldAsks--;
        away.HeldBytes -= ask.HeldBytes;
        TotalAsks--;
        TotalBytes -= ask.HeldBytes;
        ask.HeldBy = null;
        ask.HeldBytes = 0;
    }

    /// <summary>Closes <paramref name="away"/> (it came back, or its window ended): its timer stops and its held questions stop counting.</summary>
    public void Remove(AwayPeer away)
    {
        if (!away.Open)
        {
            return;
        }

        away.Open = false;
        away.Timer?.Dispose();
        away.Timer = null;
        _away.Remove(away);
        if (_byGhost.TryGetValue(away.Ghost, out var current) && ReferenceEquals(current, away))
        {
            _byGhost.Remove(away.Ghost);
        }

        foreach (var ask in away.Ghost.AsksTo.Values)
        {
            Release(ask);
        }

        away.HeldBytes -= away.EndingBytes;
        TotalBytes -= away.EndingBytes;
        away.EndingBytes = 0;
    }

    /// <summary>Stops every away peer's timer (hub shutdown).</summary>
    public void Dispose()
    {
        foreach (var away in _away)
        {
            away.Timer?.Dispose();
        }
    }
}
