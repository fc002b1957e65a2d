using Relay.Protocol.Messages;

namespace Relay.Hub.Nats;

/// <summary>
/// Stands in on this hub for an asker of another host: asks arriving from it become local asks from this endpoint
/// (the target sees <c>from</c> = <c>name@host</c>), and whatever ends or advances them (the reply, an ending
/// <c>err</c>, an <c>ask_status</c>) is sent back to the asker's host. Remembers, per open ask, the target's address
/// as the asking hub knows it. Guarded by the router lock.
/// </summary>
internal sealed class RemoteAsker : RemoteEndpoint
{
    private const long AnswerLifetimeMs = 60_000;

    private readonly Dictionary<string, string> _targets = new(StringComparer.Ordinal);

    public RemoteAsker(IBridgeSender sender, string host, string peerName, DateTimeOffset now)
        : base(sender, host, peerName, now)
    {
        Kind = "remote";
    }

    /// <summary>Opens <paramref name="askId"/>; false when it is already open (a redelivered ask).</summary>
    public bool Open(string askId, string targetAddress) => _targets.TryAdd(askId, targetAddress);

    public override SendResult Send(ServerMessage message)
    {
        switch (message)
        {
            case IncomingReplyMessage reply when _targets.Remove(reply.AskId, out var target):
                Answer(new BridgeEnvelope { Type = BridgeEnvelope.ReplyType, FromHost = Sender.LocalHost, AskId = reply.AskId, Target = target, Text = reply.Text });
                break;
            case AskStatusMessage status when _targets.TryGetValue(status.AskId, out var target):
                Answer(new BridgeEnvelope { Type = BridgeEnvelope.StatusType, FromHost = Sender.LocalHost, AskId = status.AskId, Target = target, Status = status.Status, Detail = status.Detail });
                break;
            case ErrMessage err when (err.ReqId ?? err.AskId) is { } askId && _targets.Remove(askId, out var target):
                // The ask's own request (req_id = ask_id) refused, or the ask ended without a reply.
                Answer(new BridgeEnvelope { Type = BridgeEnvelope.EndType, FromHost = Sender.LocalHost, AskId = askId, Target = target, Code = err.Code, Message = err.Message });
                break;
        }

        return SendResult.Queued;
    }

    private void Answer(BridgeEnvelope envelope) =>
        Sender.Send(Host, envelope, DateTimeOffset.UtcNow.AddMilliseconds(AnswerLifetimeMs));
}
