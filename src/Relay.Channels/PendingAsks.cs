using Relay.Channels.Delivery;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Channels;

/// <summary>
/// The asks and broadcasts this channel sent that have not ended yet — the asker's side of "every ask ends exactly
/// once". Each ask keeps what is needed to send it again (target, question, thread, absolute deadline): when the hub
/// dies the ask is not ended but re-submitted to the next hub (<see cref="Resubmissions"/>) with the same ids and the
/// time it has left. Whatever ends an ask first — the reply, an error from the hub, the local deadline
/// (<see cref="Expire"/>), giving up on the hub (<see cref="DrainAsLost"/>) — removes it, and only that first ending
/// is passed on (<see cref="Observe"/> says to drop later ones), so the model hears of each ask exactly once.
/// Broadcast parts are not re-submitted: a broadcast's silent targets end with <c>hub_unreachable</c> when the hub
/// dies (<see cref="DrainBroadcastsAsLost"/>).
/// </summary>
internal sealed class PendingAsks(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HeldAsk> _asks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BroadcastProgress> _broadcasts = new(StringComparer.Ordinal);

    // Asks that ended here, newest last: a later ending for one of them is dropped. An ending for an ask this channel
    // never held is passed on: its session asked it through an earlier channel process, and the hub kept the ending
    // for this one (the asker came back).
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly Queue<string> _endedOrder = new();

    /// <summary>How many ended ask ids are remembered.</summary>
    public const int EndedMemory = 10_000;

    public PendingAsks()
        : this(TimeProvider.System)
    {
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _asks.Count;
            }
        }
    }

    /// <summary>Records an ask before it is sent, so a reply racing the tool's own continuation is never missed.</summary>
    public void AddAsk(string askId, string to, string question, string? threadId, TimeSpan timeout)
    {
        lock (_gate)
        {
            _asks[askId] = new HeldAsk(askId, to, question, time.GetUtcNow() + timeout) { ThreadId = threadId };
        }
    }

    /// <summary>
    /// The hub acked the ask: from now on a hub restart re-submits it (an ask still waiting for its ack is the tool
    /// call's to fail). Keeps the thread the hub gave an ask sent without one.
    /// </summary>
    public void Accepted(string askId, string? threadId)
    {
        lock (_gate)
        {
            if (_asks.TryGetValue(askId, out var ask))
            {
                ask.ThreadId ??= threadId;
                ask.Accepted = true;
            }
        }
    }

    public void RemoveAsk(string askId)
    {
        lock (_gate)
        {
            Forget(askId);
        }
    }

    public bool IsPending(string askId)
    {
        lock (_gate)
        {
            return _asks.ContainsKey(askId);
        }
    }

    /// <summary>
    /// Records who a broadcast went to; replies may already have been observed. Returns the summary when every
    /// target has already ended (or there were none).
    /// </summary>
    public BroadcastSummary? AddBroadcast(string broadcastId, IReadOnlyList<string> targets)
    {
        lock (_gate)
        {
            var progress = Progress(broadcastId);
            progress.Targets = targets;
            return Prune(broadcastId, progress);
        }
    }

    /// <summary>
    /// Called on the hub receive loop for every push: a reply or an error ends an ask, a held status is remembered
    /// for the broadcast summary. <c>Pass</c> is false for a message about a single ask that already ended here (its one
    /// ending was already passed on: a local timeout, say, before the hub's own). <c>Summary</c> is the summary of a
    /// broadcast this message completed.
    /// </summary>
    public (bool Pass, BroadcastSummary? Summary) Observe(ServerMessage message)
    {
        var (askId, broadcastId, peer, code) = message switch
        {
            IncomingReplyMessage reply => (reply.AskId, reply.BroadcastId, reply.From, null),
            ErrMessage err => (err.AskId, err.BroadcastId, err.To, err.Code),
            AskStatusMessage status => (status.AskId, status.BroadcastId, status.To, status.Status == AskStates.Held ? AskStates.Held : "status"),
            _ => ((string?)null, (string?)null, (string?)null, (string?)null),
        };

        lock (_gate)
        {
            if (broadcastId is not null)
            {
                if (peer is null || code == "status")
                {
                    return (true, null);
                }

                var progress = Progress(broadcastId);
                if (code == AskStates.Held)
                {
                    progress.Held.Add(peer);
                    return (true, null);
                }

                progress.Ended[peer] = code;
                return (true, Prune(broadcastId, progress));
            }

            if (askId is null)
            {
                return (true, null);
            }

            if (message is AskStatusMessage)
            {
                return (_asks.ContainsKey(askId), null);
            }

            if (Forget(askId))
            {
                return (true, null);
            }

            return (!_ended.Contains(askId), null);
        }
    }

    /// <summary>
    /// After registering with a new hub: the asks to send again, each with its remaining timeout and
    /// <c>resubmit</c> set; asks whose deadline has already passed end here instead, as <c>timeout</c> errors.
    /// </summary>
    public (List<AskMessage> Resend, List<ErrMessage> Ended) Resubmissions()
    {
        var resend = new List<AskMessage>();
        var ended = new List<ErrMessage>();
        lock (_gate)
        {
            var now = time.GetUtcNow();
            foreach (var ask in _asks.Values.Where(a => a.Accepted).ToList())
            {
                var left = ask.Deadline - now;
                if (left <= TimeSpan.Zero)
                {
                    Forget(ask.AskId);
                    ended.Add(TimedOut(ask));
                    continue;
                }

                resend.Add(Resend(ask, left));
            }
        }

        return (resend, ended);
    }

    /// <summary>The re-submission of a still pending ask, with its time left now; null when it ended or its time is up.</summary>
    public AskMessage? Resubmission(string askId)
    {
        lock (_gate)
        {
            if (!_asks.TryGetValue(askId, out var ask) || !ask.Accepted)
            {
                return null;
            }

            var left = ask.Deadline - time.GetUtcNow();
            return left <= TimeSpan.Zero ? null : Resend(ask, left);
        }
    }

    /// <summary>The ask again, with the same ids, <c>resubmit</c> set and <paramref name="left"/> as its timeout.</summary>
    private static AskMessage Resend(HeldAsk ask, TimeSpan left) => new()
    {
        To = ask.To,
        Question = ask.Question,
        AskId = ask.AskId,
        ThreadId = ask.ThreadId,
        TimeoutMs = Math.Max(1, (long)Math.Ceiling(left.TotalMilliseconds)),
        Resubmit = true,
    };

    /// <summary>
    /// Ends the asks whose deadline passed at least <paramref name="grace"/> ago, as <c>timeout</c> errors. While
    /// connected the hub's own timer ends an ask first (pass a grace); while the hub is away, nothing else will
    /// (pass zero).
    /// </summary>
    public List<ErrMessage> Expire(TimeSpan grace)
    {
        var ended = new List<ErrMessage>();
        lock (_gate)
        {
            var now = time.GetUtcNow();
            foreach (var ask in _asks.Values.ToList())
            {
                if (ask.Deadline + grace <= now)
                {
                    Forget(ask.AskId);
                    ended.Add(TimedOut(ask));
                }
            }
        }

        return ended;
    }

    /// <summary>Ends one pending ask with an err of <paramref name="code"/> (with the ask's ids); null when it already ended.</summary>
    public ErrMessage? End(string askId, string code, string message)
    {
        lock (_gate)
        {
            if (!_asks.TryGetValue(askId, out var ask))
            {
                return null;
            }

            Forget(askId);

            return new ErrMessage { Code = code, Message = message, AskId = ask.AskId, ThreadId = ask.ThreadId, To = ask.To };
        }
    }

    /// <summary>Ends every broadcast target still silent with <c>hub_unreachable</c> (broadcast parts are not re-submitted).</summary>
    public List<ErrMessage> DrainBroadcastsAsLost()
    {
        var lost = new List<ErrMessage>();
        lock (_gate)
        {
            DrainBroadcasts(lost);
        }

        return lost;
    }

    /// <summary>Ends everything still pending: one <c>hub_unreachable</c> error per ask and per silent broadcast target.</summary>
    public List<ErrMessage> DrainAsLost()
    {
        var lost = new List<ErrMessage>();
        lock (_gate)
        {
            foreach (var ask in _asks.Values.ToList())
            {
                lost.Add(Lost(ask.To, ask.AskId, null, ask.ThreadId));
                Forget(ask.AskId);
            }

            DrainBroadcasts(lost);
        }

        return lost;
    }

    /// <summary>Removes a pending ask and remembers that it ended here (under the lock); false when it was not pending.</summary>
    private bool Forget(string askId)
    {
        if (!_asks.Remove(askId))
        {
            return false;
        }

        if (_ended.Add(askId))
        {
            _endedOrder.Enqueue(askId);
            if (_endedOrder.Count > EndedMemory)
            {
                _ended.Remove(_endedOrder.Dequeue());
            }
        }

        return true;
    }

    private void DrainBroadcasts(List<ErrMessage> lost)
    {
        foreach (var (broadcastId, progress) in _broadcasts)
        {
            foreach (var target in progress.Targets ?? [])
            {
                if (!progress.Ended.ContainsKey(target))
                {
                    lost.Add(Lost(target, null, broadcastId, null));
                }
            }
        }

        _broadcasts.Clear();
    }

    private static ErrMessage TimedOut(HeldAsk ask) => new()
    {
        Code = ErrorCodes.Timeout,
        Message = $"no reply from {ask.To} in time (the hub restarted meanwhile)",
        AskId = ask.AskId,
        ThreadId = ask.ThreadId,
        To = ask.To,
    };

    private static ErrMessage Lost(string to, string? askId, string? broadcastId, string? threadId) => new()
    {
        Code = ErrorCodes.HubUnreachable,
        Message = "the hub went away before the reply arrived",
        AskId = askId,
        ThreadId = threadId,
        BroadcastId = broadcastId,
        To = to,
    };

    private BroadcastProgress Progress(string broadcastId)
    {
        if (!_broadcasts.TryGetValue(broadcastId, out var progress))
        {
            progress = new BroadcastProgress();
            _broadcasts[broadcastId] = progress;
        }

        return progress;
    }

    private BroadcastSummary? Prune(string broadcastId, BroadcastProgress progress)
    {
        if (progress.Targets is not { } targets || !targets.All(progress.Ended.ContainsKey))
        {
            return null;
        }

        _broadcasts.Remove(broadcastId);
        var answered = targets.Where(t => progress.Ended[t] is null).ToList();
        var unanswered = targets.Where(t => progress.Ended[t] is not null).Select(t => (t, progress.Ended[t]!)).ToList();
        var held = targets.Where(progress.Held.Contains).ToList();
        return new BroadcastSummary(broadcastId, answered, held, unanswered);
    }

    private sealed record HeldAsk(string AskId, string To, string Question, DateTimeOffset Deadline)
    {
        public string? ThreadId { get; set; }

        public bool Accepted { get; set; }
    }

    private sealed class BroadcastProgress
    {
        public IReadOnlyList<string>? Targets { get; set; }

        /// <summary>Targets that ended: null for a reply, else the error code.</summary>
        public Dictionary<string, string?> Ended { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Held { get; } = new(StringComparer.Ordinal);
    }
}
