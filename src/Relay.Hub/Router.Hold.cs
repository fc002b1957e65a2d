using System.Globalization;
using System.Text;
using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>
/// Holding messages for a Claude Code channel that left and may come back (<see cref="AwayPeer"/>). When a channel
/// (<c>kind</c> <c>claude</c>) disconnects, its asks are not ended: they stay pending on the departed connection for
/// <see cref="HubOptions.HoldWindow"/>, and new asks to its name wait there too (bounded by
/// <see cref="HoldBounds"/>; what does not fit is refused with <c>hold_full</c>). Each asker is told
/// <c>ask_status waiting</c>. A registration with the same session id (else, neither having one, the same name)
/// is its return: asks its session never confirmed are sent to it, the others are re-attached so its reply routes.
/// At the end of the window whatever still waits ends with <c>peer_gone</c>. Each ask keeps its own timeout.
/// An away peer is an asker too: its own asks stay pending, and their endings (replies, errors) are kept for it and
/// handed over on its return, so a channel that restarts while it waits for a reply still gets it (a reply that does
/// not fit the hold is refused to its replier with <c>hold_full</c>). All under the router lock.
/// </summary>
internal sealed partial class Router
{
    private AwayPeers? _awayPeers;

    private AwayPeers Away => _awayPeers ??= new AwayPeers(_options.Hold);

    /// <summary>
    /// Called as a registered peer leaves (already out of the registry, its asks still on it): true when it is kept
    /// as away and its asks wait for its return; false when they are to end now.
    /// </summary>
    private bool TryKeepAway(IPeer peer, string reason)
    {
        if (_options.HoldWindow <= TimeSpan.Zero || _stopping || reason != "disconnected" || !CanComeBack(peer))
        {
            return false;
        }

        if (Away.IsFull)
        {
            _log.Event(LogLevel.Warn, HubLogEvents.PeerAway, ("name", peer.Name), ("held", false), ("reason", "too many away peers"));
            return false;
        }

        var away = Away.Add(peer, _time.GetUtcNow(), _options.HoldWindow);
        away.Timer = _time.CreateTimer(OnHoldExpired, away, _options.HoldWindow, Timeout.InfiniteTimeSpan);
        _log.Event(LogLevel.Info, HubLogEvents.PeerAway, ("name", away.Name), ("held", true), ("session_id", away.SessionId), ("pending_asks", peer.AsksTo.Count), ("hold_ms", (long)away.Window.TotalMilliseconds));

        // A restarted channel may have registered before this connection's end was seen: that is the return.
        foreach (var live in _registry.Peers)
        {
            if (ReturnsTo(live, away))
            {
                Return(away, live);
                return true;
            }
        }

        foreach (var ask in peer.AsksTo.Values.ToList())
        {
            // An ask its session never confirmed is sent again on the return, so its question must fit the hold.
            if (ask.Status == AskStates.Sent && ask.Question is { } question
                && Away.TryHold(away, ask, Encoding.UTF8.GetByteCount(question)) is { } refusal)
            {
                _pending.Remove(ask);
                EndAsk(ask, ErrorCodes.HoldFull, $"{refusal}; it left before your ask reached its session", HubLogEvents.AskHoldFull, HubEvents.PeerGone);
                continue;
            }

            TellWaiting(ask, away);
        }

        return true;
    }

    /// <summary>Only relay's own channels come back (a restart or a resumed session re-registers); terminals do not.</summary>
    private static bool CanComeBack(IPeer peer) =>
        peer.Kind == PeerKinds.Claude && peer.Name is not null && peer is not Native.NativeSessionPeer and not Nats.RemotePeer;

    /// <summary>Whether an ask to <paramref name="target"/> keeps its question until the target confirms it.</summary>
    private bool KeepsQuestion(IPeer target) => _options.HoldWindow > TimeSpan.Zero && CanComeBack(target);

    /// <summary>
    /// For <c>list_peers</c>: the away peers an ask by name would wait for — per name the newest (as
    /// <see cref="AwayPeers.FindByName"/> picks), and none whose name a live peer took meanwhile — with their hold deadline.
    /// </summary>
    private void AddAwayPeers(List<PeerInfo> peers)
    {
        if (_awayPeers is null)
        {
            return;
        }

        // Newest first, as FindByName looks: the first of each name is the one asks wait for (one pass, no rescans).
        var listed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = _awayPeers.All.Count - 1; i >= 0; i--)
        {
            var away = _awayPeers.All[i];
            if (!listed.Add(away.Name) || _registry.TryGet(away.Name, out _))
            {
                continue;
            }

            var info = LocalPeerInfo(away.Ghost);
            info.Name = away.Name;
            info.LastSeen = away.LeftAt;
            info.AwayUntil = away.Until;
            info.HeldAsks = away.HeldAsks;
            peers.Add(info);
        }
    }

    private static bool ReturnsTo(IPeer peer, AwayPeer away) =>
        !peer.Departed && CanComeBack(peer) && (away.SessionId is not null ? away.SessionId == peer.SessionId : peer.SessionId is null && away.Name == peer.Name);

    /// <summary>
    /// An <c>ask</c> to a name no live peer holds: when a peer of that name is away, the ask waits for it (true, and
    /// answered: an ack and <c>waiting</c>, or <c>hold_full</c>); false when nobody of that name is away either.
    /// </summary>
    private bool TryAskAway(IPeer connection, AskMessage message, TimeSpan timeout)
    {
        var name = message.To;
        if (Nats.PeerAddress.TrySplit(message.To, out var local, out var host))
        {
            if (host != LocalHost)
            {
                return false;
            }

            name = local;
        }

        if (_awayPeers?.FindByName(name) is not { } away)
        {
            return false;
        }

        var ask = new PendingAsk
        {
            AskId = message.AskId,
            Asker = connection,
            Target = away.Ghost,
            ThreadId = message.ThreadId ?? RandomIds.New("t"),
            StartedAt = _time.GetTimestamp(),
            Timeout = timeout,
            Question = message.Question,
        };
        if (!_pending.TryAdd(ask))
        {
            BadMsg(connection, message.ReqId, "an ask with this ask_id is already pending for that peer");
            return true;
        }

        var bytes = Encoding.UTF8.GetByteCount(message.Question);
        if (Away.TryHold(away, ask, bytes) is { } refusal)
        {
            _pending.Remove(ask);
            if (_debug)
            {
                _log.Event(LogLevel.Debug, HubLogEvents.AskHoldFull, ("ask_id", ask.AskId), ("from", connection.Name), ("to", away.Name), ("held_asks", away.HeldAsks), ("held_bytes", away.HeldBytes));
            }

            Send(connection, new ErrMessage { ReqId = message.ReqId, Code = ErrorCodes.HoldFull, Message = refusal + "; nothing was kept", AskId = message.AskId, To = away.Name });
            return true;
        }

        ask.Timer = _time.CreateTimer(_onAskTimeout, ask, timeout, Timeout.InfiniteTimeSpan);
        Send(connection, new AckMessage { ReqId = message.ReqId, AskId = ask.AskId, ThreadId = ask.ThreadId, Delivery = away.Ghost.Delivery });
        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.Ask, At = _time.GetUtcNow(), From = connection.Name, To = away.Name, AskId = ask.AskId, ThreadId = ask.ThreadId, Bytes = bytes, Delivery = away.Ghost.Delivery });
        }

        TellWaiting(ask, away);
        return true;
    }

    /// <summary>A peer just registered: when it is an away peer's return, what waited for it is its now.</summary>
    private void WelcomeBack(IPeer peer)
    {
        if (_awayPeers is null || !CanComeBack(peer) || _awayPeers.FindReturn(peer.Name!, peer.SessionId) is not { } away)
        {
            return;
        }

        Return(away, peer);
    }

    /// <summary>
    /// Moves every ask waiting on <paramref name="away"/> to <paramref name="peer"/>: asks its session never confirmed
    /// are sent (with the time they have left), the others are re-attached so the session's reply routes.
    /// </summary>
    private void Return(AwayPeer away, IPeer peer)
    {
        Away.Remove(away);
        var ghost = away.Ghost;
        var waiting = ghost.AsksTo.Values.ToList();
        foreach (var clash in PendingAsks.MoveAll(ghost, peer))
        {
            _pending.Remove(clash);
            EndAsk(clash, ErrorCodes.PeerGone, $"{away.Name} came back holding another ask with this ask_id", HubLogEvents.AskPeerGone, HubEvents.PeerGone);
        }

        // Its own asks: the new connection is their asker now, and what ended them while it was away reaches it first.
        PendingAsks.MoveAllFrom(ghost, peer);
        foreach (var ending in away.Endings)
        {
            Send(peer, ending);
        }

        var endings = away.Endings.Count;
        away.Endings.Clear();

        var sent = 0;
        foreach (var ask in waiting)
        {
            if (!ReferenceEquals(ask.Target, peer) || ask.Status != AskStates.Sent || ask.Question is not { } question)
            {
                continue;
            }

            var left = ask.Timeout - _time.GetElapsedTime(ask.StartedAt);
            Send(peer, new IncomingAskMessage
            {
                AskId = ask.AskId,
                From = ask.Asker.Name!,
                Question = question,
                ThreadId = ask.ThreadId,
                BroadcastId = ask.BroadcastId,
                TimeoutMs = Math.Max(1, (long)left.TotalMilliseconds),
            });
            sent++;
        }

        _log.Event(LogLevel.Info, HubLogEvents.PeerReturn, ("name", peer.Name), ("old_name", away.Name), ("session_id", away.SessionId), ("away_ms", (long)(_time.GetUtcNow() - away.LeftAt).TotalMilliseconds), ("sent", sent), ("reattached", waiting.Count - sent), ("endings", endings), ("own_asks", peer.AsksFrom.Count));
    }

    private void OnHoldExpired(object? state)
    {
        var away = (AwayPeer)state!;
        lock (_gate)
        {
            try
            {
                if (!away.Open)
                {
                    return;
                }

                Away.Remove(away);
                var asks = _pending.TakeAllTo(away.Ghost);

                // Its own asks and their endings: nobody is left to read them.
                var own = _pending.TakeAllFrom(away.Ghost);
                foreach (var ask in own)
                {
                    Away.Release(ask);
                }

                _log.Event(LogLevel.Info, HubLogEvents.HoldExpired, ("name", away.Name), ("session_id", away.SessionId), ("asks", asks.Count), ("own_asks", own.Count), ("endings_dropped", away.Endings.Count));
                away.Endings.Clear();
                foreach (var ask in asks)
                {
                    EndAsk(ask, ErrorCodes.PeerGone, $"{away.Name} left and did not come back; the ask was held for it for {Span(away.Window)}", HubLogEvents.AskPeerGone, HubEvents.PeerGone);
                }
            }
            finally
            {
                ProcessDrops();
            }
        }
    }

    /// <summary>
    /// A message for a departed connection: when it is an away peer's, an ending of one of its own asks (a reply, or
    /// an ask-ending error) is kept for its return (true); progress (<c>ask_status</c>) is dropped (true): the
    /// returning channel learns the ending. False for any other departed connection.
    /// </summary>
    private bool KeptForAwayAsker(IPeer ghost, ServerMessage message)
    {
        if (_awayPeers?.FindByGhost(ghost) is not { } away)
        {
            return false;
        }

        if (message is IncomingReplyMessage or ErrMessage { ReqId: null, AskId: not null })
        {
            away.Endings.Add(message);
        }

        return true;
    }

    /// <summary>
    /// A reply to an ask whose asker is away must fit what the hub may hold for it; if not, the replier is told
    /// <c>hold_full</c> (true) and the ask stays pending, so a later reply (or the ask's timeout) still ends it.
    /// </summary>
    private bool RefusedForAwayAsker(IPeer replier, ReplyMessage reply, PendingAsk ask)
    {
        if (!ask.Asker.Departed || _awayPeers?.FindByGhost(ask.Asker) is not { } away)
        {
            return false;
        }

        if (Away.TryKeepReply(away, Encoding.UTF8.GetByteCount(reply.Text)) is not { } refusal)
        {
            return false;
        }

        Send(replier, new ErrMessage { ReqId = reply.ReqId, Code = ErrorCodes.HoldFull, Message = refusal + "; the reply was not kept, send it again later", AskId = ask.AskId, To = away.Name });
        return true;
    }

    /// <summary>Tells the asker its ask waits for an away target, and for how long at most.</summary>
    private void TellWaiting(PendingAsk ask, AwayPeer away)
    {
        var upTo = away.Until - _time.GetUtcNow();
        if (ask.Timeout > TimeSpan.Zero && ask.Timeout - _time.GetElapsedTime(ask.StartedAt) is var left && left < upTo)
        {
            upTo = left;
        }

        var detail = $"{away.Name} is away; held up to {Span(upTo)}";
        Send(ask.Asker, new AskStatusMessage
        {
            AskId = ask.AskId,
            Status = AskStates.Waiting,
            To = away.Name,
            ThreadId = ask.ThreadId,
            BroadcastId = ask.BroadcastId,
            Delivery = away.Ghost.Delivery,
            Detail = detail,
        });
        ReportStatus(ask, AskStates.Waiting, detail);
    }

    /// <summary>A short duration for people: <c>3m</c>, <c>1m30s</c>, <c>45s</c>, <c>1h</c>, <c>250ms</c>.</summary>
    internal static string Span(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1))
        {
            return Math.Max(0, (long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var seconds = (long)Math.Round(span.TotalSeconds);
        var text = new StringBuilder();
        if (seconds >= 3600)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds / 3600}h");
            seconds %= 3600;
        }

        if (seconds >= 60)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds / 60}m");
            seconds %= 60;
        }

        if (seconds > 0 || text.Length == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds}s");
        }

        return text.ToString();
    }
}
