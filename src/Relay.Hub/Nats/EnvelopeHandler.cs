using System.Text.Json;
using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// What this hub does with an envelope from another host, whichever way it came (live or from the stream): checks
/// that the subject's sender is the host the body claims, then hands it to the router. An ask held past its timeout
/// is dropped unseen (its asker's hub has already answered <c>timeout</c>), and so is an ask taken already
/// (<see cref="RecentAsks"/>).
/// </summary>
internal sealed class EnvelopeHandler
{
    private readonly Router _router;
    private readonly IBridgeSender _sender;
    private readonly RecentAsks _recent;
    private readonly Logger _log = RelayLog.For("hub");

    public EnvelopeHandler(Router router, IBridgeSender sender, RecentAsks recent)
    {
        _router = router;
        _sender = sender;
        _recent = recent;
    }

    /// <summary>Hands one envelope to the router; <paramref name="storedAt"/> is when the stream stored it (null when live).</summary>
    public void Handle(string subject, byte[] data, DateTimeOffset? storedAt)
    {
        BridgeEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(data, NatsJsonContext.Default.BridgeEnvelope);
        }
        catch (JsonException ex)
        {
            _log.Event(LogLevel.Warn, "nats_bad_envelope", ("error", ex.Message));
            return;
        }

        if (envelope is null || !NatsNames.IsValidToken(envelope.FromHost))
        {
            return;
        }

        // The subject's sender is what NATS permissions vouch for; a body claiming another host is dropped.
        if (NatsNames.SenderOf(subject) != envelope.FromHost)
        {
            _log.Event(LogLevel.Warn, "nats_forged_envelope", ("subject", subject), ("from_host", envelope.FromHost));
            return;
        }

        switch (envelope.Type)
        {
            case BridgeEnvelope.AskType:
                if (!_recent.TryTake(envelope.FromHost, envelope.AskId))
                {
                    _log.Event(LogLevel.Debug, "nats_ask_again", ("ask_id", envelope.AskId), ("from_host", envelope.FromHost));
                    return;
                }

                var timeoutMs = envelope.TimeoutMs ?? (long)Limits.DefaultAskTimeout.TotalMilliseconds;
                var sentAt = storedAt ?? (envelope.SentAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UtcNow);
                var left = timeoutMs - (long)(DateTimeOffset.UtcNow - sentAt).TotalMilliseconds;
                if (left <= 0)
                {
                    _log.Event(LogLevel.Debug, "nats_ask_expired", ("ask_id", envelope.AskId), ("from_host", envelope.FromHost));
                    return;
                }

                _router.DeliverRemoteAsk(envelope, Math.Min(left, timeoutMs), _sender);
                break;
            case BridgeEnvelope.ReplyType when envelope.Text is { } text:
                _router.RemoteAnswer(envelope.Target, new ReplyMessage { AskId = envelope.AskId, Text = text });
                break;
            case BridgeEnvelope.StatusType when envelope.Status is { } status:
                _router.RemoteAnswer(envelope.Target, new ReceiptMessage { AskId = envelope.AskId, Status = status, Detail = envelope.Detail });
                break;
            case BridgeEnvelope.EndType when envelope.Code is { } code:
                _router.EndRemoteAsk(envelope.Target, envelope.AskId, code, envelope.Message);
                break;
        }
    }
}
