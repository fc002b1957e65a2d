using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// This host's durable inbox: the consumer <c>host-&lt;host&gt;</c> on the space's stream, filtered on this host's
/// subjects. Each envelope is handed to the router, then acknowledged, so an envelope that arrived while this hub was
/// away (or down) is delivered when it comes back. An ask held past its timeout is dropped unseen (its asker's hub has
/// already answered <c>timeout</c>).
/// </summary>
internal sealed class InboxConsumer
{
    private readonly Router _router;
    private readonly IBridgeSender _sender;
    private readonly Logger _log = RelayLog.For("hub");

    public InboxConsumer(Router router, IBridgeSender sender)
    {
        _router = router;
        _sender = sender;
    }

    /// <summary>
    /// Pull requests live 5 s with a heartbeat every second: when the node holding them dies (a cluster losing a
    /// node), the client notices within seconds and pulls again from another node, instead of after the default 30 s.
    /// </summary>
    private static readonly NatsJSConsumeOpts ConsumeOpts = new()
    {
        MaxMsgs = 512,
        Expires = TimeSpan.FromSeconds(5),
        IdleHeartbeat = TimeSpan.FromSeconds(1),
    };

    /// <summary>Consumes until cancelled; a consume that fails is started again.</summary>
    public async Task RunAsync(INatsJSConsumer consumer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var msg in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, ConsumeOpts, cancellationToken).ConfigureAwait(false))
                {
                    if (msg.Data is { } data)
                    {
                        Handle(msg.Subject, data, msg.Metadata?.Timestamp);
                    }

                    await msg.AckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or IOException)
            {
                _log.Event(LogLevel.Info, "nats_inbox_restart", ("error", ex.Message));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Handle(string subject, byte[] data, DateTimeOffset? storedAt)
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
