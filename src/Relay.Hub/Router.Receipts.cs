using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>
/// Delivery receipts: the target side of an ask says how far it got, and the asker hears it. Progress
/// (<c>delivered</c>, <c>held</c>, <c>surfaced</c>) is forwarded once per state as <c>ask_status</c>; a final state
/// (<c>refused</c>, <c>expired</c>, <c>dropped</c>) ends the ask with an <c>err</c> of that code, so the asker still
/// sees exactly one ending. All under the router lock.
/// </summary>
internal sealed partial class Router
{
    private const int MaxDetailLength = 256;

    private void OnReceipt(IPeer connection, ReceiptMessage message)
    {
        if (!CheckIds(connection, message.ReqId, message.AskId, null))
        {
            return;
        }

        if (!AskStates.IsReportable(message.Status))
        {
            BadMsg(connection, message.ReqId, "invalid status: use delivered, surfaced, held, refused, expired or dropped");
            return;
        }

        var holder = FindReceiptHolder(connection, message);
        var ask = holder is not null && holder.AsksTo.TryGetValue(message.AskId, out var pending) ? pending : null;
        if (ask is null)
        {
            UnknownAsk(connection, message.ReqId, message.AskId);
            return;
        }

        var detail = message.Detail is { Length: > MaxDetailLength } longDetail ? longDetail[..MaxDetailLength] : message.Detail;
        Send(connection, new AckMessage { ReqId = message.ReqId, AskId = ask.AskId, ThreadId = ask.ThreadId });
        if (AskStates.IsFinal(message.Status))
        {
            _pending.Remove(ask);
            EndAsk(ask, message.Status, FinalText(message.Status, ask.Target.Name!, detail), HubLogEvents.AskStatus, HubEvents.AskStatus);
            return;
        }

        // Forward progress only: a late "delivered" after "surfaced" tells the asker nothing new.
        if (AskStates.Rank(message.Status) <= AskStates.Rank(ask.Status))
        {
            return;
        }

        ask.Status = message.Status;
        ask.Question = null; // it reached the session: never sent again
        Send(ask.Asker, new AskStatusMessage
        {
            AskId = ask.AskId,
            Status = message.Status,
            To = ask.Target.Name!,
            ThreadId = ask.ThreadId,
            BroadcastId = ask.BroadcastId,
            Delivery = ask.Target.Delivery,
            Detail = detail,
        });
        ReportStatus(ask, message.Status, detail);
    }

    /// <summary>The peer a receipt speaks for: the sender, the peer it names, or the channel of the named session.</summary>
    private IPeer? FindReceiptHolder(IPeer connection, ReceiptMessage message)
    {
        if (message.OnBehalfOf is { } name)
        {
            return _registry.TryGet(name, out var named) ? named : null;
        }

        if (message.SessionId is { } sessionId)
        {
            foreach (var peer in _registry.Peers)
            {
                if (peer.SessionId == sessionId)
                {
                    return peer;
                }
            }

            return null;
        }

        return connection.Name is null ? null : connection;
    }

    private void ReportStatus(PendingAsk ask, string status, string? detail)
    {
        if (_debug)
        {
            _log.Event(LogLevel.Debug, HubLogEvents.AskStatus, ("ask_id", ask.AskId), ("from", ask.Asker.Name), ("to", ask.Target.Name), ("status", status), ("detail", detail));
        }

        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.AskStatus, At = _time.GetUtcNow(), From = ask.Asker.Name, To = ask.Target.Name, AskId = ask.AskId, BroadcastId = ask.BroadcastId, ThreadId = ask.ThreadId, Status = status, Delivery = ask.Target.Delivery });
        }
    }

    private static string FinalText(string status, string target, string? detail)
    {
        var text = status switch
        {
            AskStates.Refused => $"{target}'s Claude Code session refuses messages from other sessions",
            AskStates.Expired => $"{target}'s session held the ask for its user's approval and it expired unapproved",
            _ => $"{target}'s Claude Code dropped the ask",
        };
        return detail is null ? text : $"{text} ({detail})";
    }
}
