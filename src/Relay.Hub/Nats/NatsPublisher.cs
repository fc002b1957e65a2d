using System.Text.Json;
using System.Threading.Channels;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// The one way out to other hosts: <see cref="Send"/> queues an envelope (never blocks, never throws), and a loop sends
/// each (several at once). First <b>live</b>: a core NATS message to the target hub's live subject, which that hub
/// acknowledges once it has handed the envelope to its router (<see cref="LiveInbox"/>; acknowledgements come back in
/// batches, <see cref="LiveAckListener"/>). When no hub of that host listens, or it does not acknowledge within
/// <see cref="NatsSettings.LiveTimeout"/>, or NATS refuses the live subjects, the envelope
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
    private readonly LiveAttempts _attempts;
    private LiveAckListener? _acks;
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
        _attempts = new LiveAttempts(TimeProvider.System, liveTimeout);
    }

    /// <summary>The open live attempts, for the <see cref="LiveAckListener"/> that ends them.</summary>
    public LiveAttempts Attempts => _attempts;

    public string LocalHost { get; }

    /// <summary>The JetStream context to publish through, once connected.</summary>
    public void Attach(INatsJSContext js, LiveAckListener? acks)
    {
        lock (_jsGate)
        {
            _js = js;
            _acks = acks;
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
        var item = new Outgoing(host, NatsNames.Live(_space, host, envelope.Type, LocalHost), NatsNames.Inbox(_space, host, envelope.Type, LocalHost), body, deadline, Guid.NewGuid().ToString("N"));
        if (LiveEnabled && _running.CanBeCanceled && !_running.IsCancellationRequested && _window.Wait(0))
        {
            // Straight out while the window has room: the live message is written before this returns (nothing
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
                        var ack = await js.PublishAsync(item.Subject, item.Body, NatsRawSerializer<byte[]>.Default, new NatsJSPubOpts { MsgId = LocalHost + "-" + item.Id }, cancellationToken: attemptTimeout.Token).ConfigureAwait(false);
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
    /// not connected or not yet listening for acknowledgements, no hub of that host listens, or its acknowledgement
    /// did not come within the live timeout.
    /// </summary>
    private async Task<bool> SendLiveAsync(Outgoing item, CancellationToken cancellationToken)
    {
        INatsConnection? connection;
        LiveAckListener? acks;
        lock (_jsGate)
        {
            connection = _js?.Connection;
            acks = _acks;
        }

        if (!LiveEnabled || acks is not { Ready: true } || connection is not { ConnectionState: NatsConnectionState.Open })
        {
            return false;
        }

        if (_attempts.TryBegin(item.Id, item.Host) is not { } taken)
        {
            // That host is stalled and its probe is out: the stream at once (off the router's call).
            await Task.Yield();
            return false;
        }

        try
        {
            // The reply subject carries the id the target hub acknowledges, and is where NATS says "no responders".
            await connection.PublishAsync(item.LiveSubject, item.Body, replyTo: NatsNames.LiveReplyTo(_space, LocalHost, item.Id), serializer: NatsRawSerializer<byte[]>.Default, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _attempts.Fail(item.Id);
        }

        if (await taken.ConfigureAwait(false))
        {
            return true;
        }

        // Not taken: leave whoever ended the attempt (the acknowledgement listener, the sweep) before the stream.
        await Task.Yield();
        return false;
    }

    public void Dispose() => _window.Dispose();

    /// <summary>One envelope on its way; <see cref="Id"/> names it live and (after this host's name) in the stream.</summary>
    private readonly record struct Outgoing(string Host, string LiveSubject, string Subject, byte[] Body, DateTimeOffset Deadline, string Id);
}
