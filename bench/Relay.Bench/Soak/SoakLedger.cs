using System.Collections.Concurrent;

namespace Relay.Bench.Soak;

/// <summary>How one ask ended, as its asker saw it.</summary>
internal enum SoakOutcome
{
    Reply,
    Timeout,
    PeerGone,
}

/// <summary>
/// Every ask of a soak run by ask id: whether the hub accepted it (ack or broadcast_ack) or refused it (an err
/// answer), and every ending its asker received. At the end each accepted ask must have exactly one ending (a reply,
/// a timeout or peer_gone) and each refused ask none; an asker that left (churn) abandons its open asks, which the
/// protocol drops silently. Thread-safe.
/// </summary>
internal sealed class SoakLedger
{
    private readonly ConcurrentDictionary<string, Entry> _asks = new(StringComparer.Ordinal);
    private long _broadcasts;

    public long Broadcasts => Interlocked.Read(ref _broadcasts);

    /// <summary>Records an ask about to be sent by connection <paramref name="asker"/>.</summary>
    public void Sent(string askId, object asker) => _asks[askId] = new Entry(asker);

    public void Accepted(string askId) => Get(askId).Accept();

    /// <summary>An ask whose id the asker learned only with its acceptance (a channel's <c>relay_ask</c>); its ending may already be here.</summary>
    public void AcceptedFrom(string askId, object asker) => _asks.GetOrAdd(askId, _ => new Entry(asker)).Accept();

    public void Refused(string askId, string code) => Get(askId).Refuse(code);

    /// <summary>A broadcast's targets: ask ids <c>&lt;broadcast_id&gt;.1</c> … <c>.n</c>, accepted at once.</summary>
    public void BroadcastAccepted(string broadcastId, int targets, object asker)
    {
        Interlocked.Increment(ref _broadcasts);
        for (var i = 1; i <= targets; i++)
        {
            var entry = _asks.GetOrAdd($"{broadcastId}.{i}", _ => new Entry(asker));
            entry.Accept();
        }
    }

    /// <summary>An ending arrived. An ending for a broadcast target may come before its broadcast_ack is handled.</summary>
    public void Ended(string askId, SoakOutcome outcome, object asker) => _asks.GetOrAdd(askId, _ => new Entry(asker)).End(outcome);

    /// <summary>The asker connection left: its asks with no ending yet are dropped by the hub, by design.</summary>
    public void Abandon(object asker)
    {
        foreach (var entry in _asks.Values)
        {
            if (ReferenceEquals(entry.Asker, asker))
            {
                entry.Abandon();
            }
        }
    }

    /// <summary>
    /// For a reply its target got refused <c>unknown_ask</c>: true when the ask did end without a reply (timeout,
    /// peer_gone) or its asker left; false when the hub refused a reply to an ask that was still open or got a reply.
    /// </summary>
    public bool EndedOtherwise(string askId) => _asks.TryGetValue(askId, out var entry) && entry.EndedWithoutReply;

    /// <summary>Accepted asks still waiting for their ending.</summary>
    public int Open => _asks.Values.Count(e => e.IsOpen);

    public SoakTally Tally()
    {
        var tally = new SoakTally();
        foreach (var (askId, entry) in _asks)
        {
            entry.AddTo(tally, askId);
        }

        return tally;
    }

    private Entry Get(string askId) => _asks.TryGetValue(askId, out var entry) ? entry : throw new InvalidOperationException("unknown ask " + askId);

    private sealed class Entry(object asker)
    {
        private readonly Lock _gate = new();
        private bool _accepted;
        private string? _refused;
        private bool _abandoned;
        private int _replies;
        private int _timeouts;
        private int _gone;

        public object Asker { get; } = asker;

        public bool IsOpen
        {
            get
            {
                lock (_gate)
                {
                    return _accepted && !_abandoned && _replies + _timeouts + _gone == 0;
                }
            }
        }

        public bool EndedWithoutReply
        {
            get
            {
                lock (_gate)
                {
                    return _replies == 0 && (_timeouts + _gone > 0 || _abandoned);
                }
            }
        }

        public void Accept()
        {
            lock (_gate)
            {
                _accepted = true;
            }
        }

        public void Refuse(string code)
        {
            lock (_gate)
            {
                _refused = code;
            }
        }

        public void Abandon()
        {
            lock (_gate)
            {
                _abandoned |= _replies + _timeouts + _gone == 0;
            }
        }

        public void End(SoakOutcome outcome)
        {
            lock (_gate)
            {
                switch (outcome)
                {
                    case SoakOutcome.Reply:
                        _replies++;
                        break;
                    case SoakOutcome.Timeout:
                        _timeouts++;
                        break;
                    default:
                        _gone++;
                        break;
                }
            }
        }

        public void AddTo(SoakTally tally, string askId)
        {
            lock (_gate)
            {
                var endings = _replies + _timeouts + _gone;
                tally.Asks++;
                if (_refused is { } code)
                {
                    tally.Refused[code] = tally.Refused.GetValueOrDefault(code) + 1;
                    if (endings > 0)
                    {
                        tally.Duplicated++;
                        tally.Examples.Add($"{askId}: refused ({code}) and also ended {endings} time(s)");
                    }

                    return;
                }

                if (!_accepted)
                {
                    // Never answered: the asker left while the request was in flight.
                    tally.Abandoned++;
                    return;
                }

                tally.Accepted++;
                tally.Replies += _replies;
                tally.Timeouts += _timeouts;
                tally.PeerGone += _gone;
                if (endings > 1)
                {
                    tally.Duplicated++;
                    tally.Examples.Add($"{askId}: {endings} endings ({_replies} replies, {_timeouts} timeouts, {_gone} peer_gone)");
                }
                else if (endings == 0)
                {
                    if (_abandoned)
                    {
                        tally.Abandoned++;
                    }
                    else
                    {
                        tally.Lost++;
                        tally.Examples.Add($"{askId}: accepted, never ended");
                    }
                }
            }
        }
    }
}
