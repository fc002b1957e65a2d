using System.Text.Json;
using System.Threading.Channels;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// The one way out to other hosts: <see cref="Send"/> queues an envelope (never blocks, never throws), and a loop sends
/// each (several at once). First <b>live</b>: a core NATS request to the target hub's live subject, which that hub
/// answers once it has handed the envelope to its router (<see cref="LiveInbox"/>). When no hub of that host listens,
/// or it does not answer within <see cref="NatsSettings.LiveTimeout"/>, or NATS refuses the live subject, the envelope
/// goes to the target host's subject in the space's stream, the <b>durable</b> inbox that host's hub consumes when it
/// is back, retrying while NATS is away until the envelope's deadline (each attempt waits at most two seconds for its
/// acknowledgement; every attempt carries the envelope's one <c>Nats-Msg-Id</c>, so the stream stores it once however
/// many attempts it took). An envelope can then reach the target twice (taken live, but the answer was late); the
/// receiving hub takes an ask once (<see cref="RecentAsks"/>), and the other envelopes change nothing the second time.
/// The queue is bounded; past the bound the newest envelope is dropped and logged (its ask then ends by its timer).
/// </summary>
internal sealed class NatsPublisher : IBridgeSender, IDisposable
{
    private const int Capacity = 65_536;
    /// <summary>
    /// Envelopes in flight at once. A live attempt to a stalled hub holds its place for the live timeout, so the window
    /// is wide enough that a burst to one stalled host does not hold up the others.
    /// </summary>
    private const int Window = 256;

    /// <summary>How long one publish waits for its JetStream acknowledgement before it is tried again.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    private readonly Channel<Outgoing> _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly string _space;
    private readonly Logger _log = RelayLog.For("hub");
    private readonly Lock _jsGate = new();
    private readonly TimeSpan _liveTimeout;
    private readonly SemaphoreSlim _window = new(Window, Window);
    private INatsJSContext? _js;
    private CancellationToken _running;
    private volatile bool _liveRefused;
    private long _sentLive;
    private long _sentDurable;

    public NatsPublisher(string space, string localHost, TimeSpan liveTimeout)
    {
        _space = space;
        LocalHost = localHost;
        _liveTimeout = liveTimeout;
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

    /// <summary>
    /// The server refused this hub's live subjects (permissions written before the live path): from now on envelopes
    /// go through the stream only, instead of each waiting out the live timeout first.
    /// </summary>
    public void RefuseLive() => _liveRefused = true;

    /// <summary>Whether envelopes are tried live first.</summary>
    public bool LiveEnabled => _liveTimeout > TimeSpan.Zero && !_liveRefused;

    public bool LiveRefused => _liveRefused;

    /// <summary>Envelopes another hub took live.</summary>
    public long SentLive => Interlocked.Read(ref _sentLive);

    /// <summary>Envelopes stored in the stream.</summary>
    public long SentDurable => Interlocked.Read(ref _sentDurable);

    public void Send(string host, BridgeEnvelope envelope, DateTimeOffset deadline)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, NatsJsonContext.Default.BridgeEnvelope);
        var msgId = LocalHost + "-" + Guid.NewGuid().ToString("N");
        var item = new Outgoing(NatsNames.Live(_space, host, envelope.Type, LocalHost), NatsNames.Inbox(_space, host, envelope.Type, LocalHost), body, deadline, msgId);
        if (LiveEnabled && _running.CanBeCanceled && !_running.IsCancellationRequested && _window.Wait(0))
        {
            // Straight out while the window has room: the live request is written before this returns (nothing
            // here waits), which saves the queue's hop on the way to another host.
            _ = PublishAsync(item, _running);
            return;
        }

        if (!_queue.Writer.TryWrite(item))
        {
            _log.Event(LogLevel.Warn, "nats_queue_full", ("type", envelope.Type), ("ask_id", envelope.AskId), ("host", host));
        }
    }

    /// <summary>
    /// Publishes queued envelopes until cancelled (an envelope goes out from <see cref="Send"/> itself when live
    /// sending is on and the window has room), up to <see cref="Window"/> at once: each waits for its own
    /// JetStream acknowledgement (and retries on its own), so one round trip to the server does not hold up the
    /// next envelope. Envelopes of one ask need no order among themselves: the asking hub takes the first ending and
    /// ignores whatever follows it.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _running = cancellationToken;
        await foreach (var item in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
            _ = PublishAsync(item, cancellationToken);
        }
    }

    private async Task PublishAsync(Outgoing item, CancellationToken cancellationToken)
    {
        try
        {
            if (await SendLiveAsync(item, cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _sentLive);
                return;
            }

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
                        Interlocked.Increment(ref _sentDurable);
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
                _window.Release();
            }
            catch (ObjectDisposedException)
            {
                // The hub stopped meanwhile.
            }
        }
    }

    /// <summary>
    /// True when the target hub took the envelope live. False (then the stream) when live sending is off, this hub is
    /// not connected, no hub of that host listens, or its answer did not come within the live timeout.
    /// </summary>
    private async Task<bool> SendLiveAsync(Outgoing item, CancellationToken cancellationToken)
    {
        INatsConnection? connection;
        lock (_jsGate)
        {
            connection = _js?.Connection;
        }

        if (!LiveEnabled || connection is not { ConnectionState: NatsConnectionState.Open })
        {
            return false;
        }

        try
        {
            var answer = await connection.RequestAsync<byte[], byte[]>(
                item.LiveSubject,
                item.Body,
                requestSerializer: NatsRawSerializer<byte[]>.Default,
                replySerializer: NatsRawSerializer<byte[]>.Default,
                replyOpts: new NatsSubOpts { Timeout = _liveTimeout },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return !answer.HasNoResponders;
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // No responders (that host's hub is not connected), no answer in time, or the connection went away.
            return false;
        }
    }

    public void Dispose() => _window.Dispose();

    private readonly record struct Outgoing(string LiveSubject, string Subject, byte[] Body, DateTimeOffset Deadline, string MsgId);
}
