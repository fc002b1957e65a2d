using NATS.Client.Core;
using NATS.Client.JetStream;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// This host's durable inbox: the consumer <c>host-&lt;host&gt;</c> on the space's stream, filtered on this host's
/// subjects. Each envelope is handed to the router (<see cref="EnvelopeHandler"/>), then acknowledged, so an envelope
/// that arrived while this hub was away (or down) is delivered when it comes back.
/// </summary>
internal sealed class InboxConsumer
{
    private readonly EnvelopeHandler _handler;
    private readonly Logger _log = RelayLog.For("hub");

    public InboxConsumer(EnvelopeHandler handler) => _handler = handler;

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
                        _handler.Handle(msg.Subject, data, msg.Metadata?.Timestamp);
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
}
