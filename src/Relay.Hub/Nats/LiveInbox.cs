using System.Buffers;
using NATS.Client.Core;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// This host's live inbox: a core NATS subscription to <c>relay-live.&lt;space&gt;.&lt;host&gt;.&gt;</c>. Each
/// envelope is handed to the router (<see cref="EnvelopeHandler"/>), then acknowledged (<see cref="LiveAckBatcher"/>,
/// by the id in its reply subject), which tells the sending hub that this hub has it and need not put it in the
/// stream. Nothing is kept here: an envelope this hub does not acknowledge in time goes through the durable inbox
/// instead (<see cref="NatsPublisher"/>).
/// </summary>
internal sealed class LiveInbox
{
    private readonly EnvelopeHandler _handler;
    private readonly LiveAckBatcher _acks;
    private readonly string _filter;
    private readonly Logger _log = RelayLog.For("hub");

    public LiveInbox(EnvelopeHandler handler, LiveAckBatcher acks, string space, string host)
    {
        _handler = handler;
        _acks = acks;
        _filter = NatsNames.LiveFilter(space, host);
    }

    /// <summary>Receives until cancelled (NATS.Net subscribes again after a reconnect); a failed subscription is made again.</summary>
    public async Task RunAsync(INatsConnection connection, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var subscribed = await InlineSubscription.StartAsync(connection, _filter, Take, cancellationToken).ConfigureAwait(false);
                await subscribed.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or IOException)
            {
                _log.Event(LogLevel.Info, "nats_live_restart", ("error", ex.Message));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One live envelope, on NATS.Net's reader: to the router, then acknowledged.</summary>
    private void Take(string subject, string? replyTo, bool noResponders, ReadOnlySequence<byte> payload)
    {
        if (!payload.IsEmpty)
        {
            _handler.Handle(subject, payload.ToArray(), storedAt: null);
        }

        // Acknowledged to the host the subject names (the one NATS permissions vouch for), whatever the reply subject
        // claims.
        if (NatsNames.SenderOf(subject) is { } fromHost && replyTo is not null
            && NatsNames.TrySplitAck(replyTo, out var kind, out var id) && kind == 'r')
        {
            _acks.Add(fromHost, id);
        }
    }
}
