using Relay.Protocol.Messages;

namespace Relay.Hub.Nats;

/// <summary>
/// A peer of another host, known from the space's presence bucket. The router routes asks to it like any peer; each
/// <c>incoming_ask</c> is sent to the peer's host, and the answers come back through the router's remote entry
/// points (<c>Router.RemoteAnswer</c>, <c>Router.EndRemoteAsk</c>). It leaves when its presence is deleted or expires.
/// </summary>
internal sealed class RemotePeer : RemoteEndpoint
{
    public RemotePeer(IBridgeSender sender, PresenceRecord record, DateTimeOffset now)
        : base(sender, record.Host, record.Name, now)
    {
        Update(record, now);
        ConnectedAt = record.ConnectedAt == default ? now : record.ConnectedAt;
    }

    /// <summary>Takes the fields of a fresher presence record.</summary>
    public void Update(PresenceRecord record, DateTimeOffset now)
    {
        Kind = record.Kind;
        Cwd = record.Cwd;
        GitBranch = record.GitBranch;
        Pid = record.Pid;
        Delivery = record.Delivery ?? DeliveryPaths.Socket;
        LastSeen = now;
    }

    public override SendResult Send(ServerMessage message)
    {
        if (message is not IncomingAskMessage ask)
        {
            // Acks of this peer's answers (the router answers every reply or receipt) go nowhere.
            return SendResult.Queued;
        }

        var now = DateTimeOffset.UtcNow;
        var timeoutMs = ask.TimeoutMs ?? (long)Relay.Protocol.Limits.DefaultAskTimeout.TotalMilliseconds;
        Sender.Send(Host, new BridgeEnvelope
        {
            Type = BridgeEnvelope.AskType,
            FromHost = Sender.LocalHost,
            AskId = ask.AskId,
            Target = Name!,
            From = ask.From,
            To = PeerName,
            ThreadId = ask.ThreadId,
            BroadcastId = ask.BroadcastId,
            Question = ask.Question,
            TimeoutMs = timeoutMs,
            SentAtMs = now.ToUnixTimeMilliseconds(),
        }, now.AddMilliseconds(timeoutMs));
        return SendResult.Queued;
    }
}
