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

    /// <summary>Records who a broadcast went to; replies may already have been observed.</summary>
    public void AddBroadcast(string broadcastId, IReadOnlyList<string> targets)
    {
        lock (_gate)
        {
            var progress = Progress(broadcastId);
            progress.Targets = targets;
            Prune(broadcastId, progress);
        }
    }

    /// <summary>Called on the hub receive loop for every push: a reply or an error ends an ask.</summary>
    public void Observe(ServerMessage message)
    {
        var (askId, broadcastId, peer) = message switch
        {
            IncomingReplyMessage reply => (reply.AskId, reply.BroadcastId, reply.From),
            ErrMessage err => (err.AskId, err.BroadcastId, err.To),
            _ => (null, null, null),
        };

        lock (_gate)
        {
            if (broadcastId is not null)
            {
                if (peer is not null)
                {
                    var progress = Progress(broadcastId);
                    progress.Ended.Add(peer);
                    Prune(broadcastId, progress);
                }
            }
            else if (askId is not null)
            {
                _asks.Remove(askId);
            }
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
                    if (!progress.Ended.Contains(target))
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

    private void Prune(string broadcastId, BroadcastProgress progress)
    {
        if (progress.Targets is { } targets && targets.All(progress.Ended.Contains))
        {
            _broadcasts.Remove(broadcastId);
        }
    }

    private sealed class BroadcastProgress
    {
        public IReadOnlyList<string>? Targets { get; set; }

        public HashSet<string> Ended { get; } = new(StringComparer.Ordinal);
    }
}
