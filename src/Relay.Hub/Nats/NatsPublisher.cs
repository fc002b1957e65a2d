using System.Text.Json;
using System.Threading.Channels;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// The one way out to other hosts: <see cref="Send"/> queues an envelope (never blocks, never throws), and a loop
/// publishes each (several at once) to the target host's subject in the space's stream, retrying while NATS is away until
/// the envelope's deadline (each attempt waits at most two seconds for its acknowledgement; every attempt carries the
/// envelope's one <c>Nats-Msg-Id</c>, so the stream stores it once however many attempts it took). The queue is bounded; past the bound the newest envelope is dropped and logged (its
/// ask then ends by its timer).
/// </summary>
internal sealed class NatsPublisher : IBridgeSender
{
    private const int Capacity = 65_536;
    private const int Window = 64;

    /// <summary>How long one publish waits for its JetStream acknowledgement before it is tried again.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    private readonly Channel<Outgoing> _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly string _space;
    private readonly Logger _log = RelayLog.For("hub");
    private readonly Lock _jsGate = new();
    private INatsJSContext? _js;

    public NatsPublisher(string space, string localHost)
    {
        _space = space;
        LocalHost = localHost;
    }

    public string LocalHost { get; }

    /// <summary>The JetStream context to publish through, once connected.</summary>
    public void Attach(INatsJSContext js)
    {
        lock (_jsGate)
        {
            _js = js;
        }
    }

    public void Send(string host, BridgeEnvelope envelope, DateTimeOffset deadline)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, NatsJsonContext.Default.BridgeEnvelope);
        var msgId = LocalHost + "-" + Guid.NewGuid().ToString("N");
        if (!_queue.Writer.TryWrite(new Outgoing(NatsNames.Inbox(_space, host, envelope.Type, LocalHost), body, deadline, msgId)))
        {
            _log.Event(LogLevel.Warn, "nats_queue_full", ("type", envelope.Type), ("ask_id", envelope.AskId), ("host", host));
        }
    }

    /// <summary>
    /// Publishes queued envelopes until cancelled, up to <see cref="Window"/> at once: each waits for its own
    /// JetStream acknowledgement (and retries on its own), so one round trip to the server does not hold up the
    /// next envelope. Envelopes of one ask need no order among themselves: the asking hub takes the first ending and
    /// ignores whatever follows it.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var window = new SemaphoreSlim(Window, Window);
        await foreach (var item in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await window.WaitAsync(cancellationToken).ConfigureAwait(false);
            _ = PublishAsync(item, window, cancellationToken);
        }
    }

    private async Task PublishAsync(Outgoing item, SemaphoreSlim window, CancellationToken cancellationToken)
    {
        try
        {
            var attempt = 0;
            while (DateTimeOffset.UtcNow < item.Deadline)
            {
                INatsJSContext? js;
                lock (_jsGate)
                {
                    js = _js;
                }

                using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attemptTimeout.CancelAfter(AttemptTimeout);
                try
                {
                    if (js is not null)
                    {
                        // The same message id on every attempt: the stream keeps one copy when an earlier attempt
                        // was stored but its acknowledgement lost (a node killed, a leader elected meanwhile).
                        var ack = await js.PublishAsync(item.Subject, item.Body, NatsRawSerializer<byte[]>.Default, new NatsJSPubOpts { MsgId = item.MsgId }, cancellationToken: attemptTimeout.Token).ConfigureAwait(false);
                        ack.EnsureSuccess();
                        return;
                    }
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    if (attempt == 0)
                    {
                        _log.Event(LogLevel.Info, "nats_publish_retry", ("subject", item.Subject), ("error", ex.Message));
                    }
                }

                attempt++;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), cancellationToken).ConfigureAwait(false);
            }

            _log.Event(LogLevel.Warn, "nats_publish_expired", ("subject", item.Subject));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            try
            {
                window.Release();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private readonly record struct Outgoing(string Subject, byte[] Body, DateTimeOffset Deadline, string MsgId);
}
