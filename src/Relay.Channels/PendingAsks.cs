using Relay.Channels.Delivery;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Channels;

/// <summary>
/// The asks and broadcasts this channel sent that have not ended yet. When the hub dies their replies can never
/// arrive (a new hub knows nothing of them), so each one is ended with a <c>hub_unreachable</c> error notification
/// instead of leaving Claude waiting forever.
/// </summary>
internal sealed class PendingAsks
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _asks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BroadcastProgress> _broadcasts = new(StringComparer.Ordinal);

    /// <summary>Records an ask before it is sent, so a reply racing the tool's own continuation is never missed.</summary>
    public void AddAsk(string askId, string to)
    {
        lock (_gate)
        {
            _asks[askId] = to;
        }
    }

    public void RemoveAsk(string askId)
    {
        lock (_gate)
        {
            _asks.Remove(askId);
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
    /// for the broadcast summary. Returns the summary of a broadcast this message completed.
    /// </summary>
    public BroadcastSummary? Observe(ServerMessage message)
    {
        var (askId, broadcastId, peer, code) = message switch
        {
            IncomingReplyMessage reply => (reply.AskId, reply.BroadcastId, reply.From, null),
            ErrMessage err => (err.AskId, err.BroadcastId, err.To, err.Code),
            AskStatusMessage { Status: AskStates.Held } held => (null, held.BroadcastId, held.To, AskStates.Held),
            _ => ((string?)null, (string?)null, (string?)null, (string?)null),
        };

        lock (_gate)
        {
            if (broadcastId is not null)
            {
                if (peer is null)
                {
                    return null;
                }

                var progress = Progress(broadcastId);
                if (code == AskStates.Held)
                {
                    progress.Held.Add(peer);
                    return null;
                }

                progress.Ended[peer] = code;
                return Prune(broadcastId, progress);
            }

            if (askId is not null && message is not AskStatusMessage)
            {
                _asks.Remove(askId);
            }

            return null;
        }
    }

    /// <summary>Ends everything still pending: one <c>hub_unreachable</c> error per ask and per silent broadcast target.</summary>
    public List<ErrMessage> DrainAsLost()
    {
        var lost = new List<ErrMessage>();
        lock (_gate)
        {
            foreach (var (askId, to) in _asks)
            {
                lost.Add(Lost(to, askId, null));
            }

            foreach (var (broadcastId, progress) in _broadcasts)
            {
                foreach (var target in progress.Targets ?? [])
                {
                    if (!progress.Ended.ContainsKey(target))
                    {
                        lost.Add(Lost(target, null, broadcastId));
                    }
                }
            }

            _asks.Clear();
            _broadcasts.Clear();
        }

        return lost;
    }

    private static ErrMessage Lost(string to, string? askId, string? broadcastId) => new()
    {
        Code = ErrorCodes.HubUnreachable,
        Message = "the hub went away before the reply arrived",
        AskId = askId,
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

    private sealed class BroadcastProgress
    {
        public IReadOnlyList<string>? Targets { get; set; }

        /// <summary>Targets that ended: null for a reply, else the error code.</summary>
        public Dictionary<string, string?> Ended { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Held { get; } = new(StringComparer.Ordinal);
    }
}
