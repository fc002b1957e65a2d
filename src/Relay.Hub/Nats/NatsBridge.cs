using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using NLog;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// Joins this hub to its NATS space, in the background: connects (retrying until it can), makes sure the space's
/// stream, this host's durable consumer and the presence bucket exist, then runs the publisher, the live inbox, the
/// durable inbox consumer and presence. Local routing never waits on any of it: with NATS down, local peers talk as
/// before, remote peers expire from view, and asks to them end by their timers or <c>peer_gone</c>.
/// </summary>
public sealed class NatsBridge : IAsyncDisposable
{
    private static readonly TimeSpan StreamMaxAge = TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5);
    private static readonly TimeSpan BucketMaxAge = TimeSpan.FromMinutes(5);

    private readonly NatsSettings _settings;
    private readonly Router _router;
    private readonly NatsPublisher _publisher;
    private readonly PresenceSync _presence;
    private readonly InboxConsumer _inbox;
    private readonly LiveInbox _live;
    private readonly LiveAckBatcher _liveAcks;
    private readonly LiveAckListener? _liveListener;
    private readonly CancellationTokenSource _liveStop = new();
    private readonly Logger _log = RelayLog.For("hub");
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;
    private NatsConnection? _connection;
    private INatsKVStore? _store;
    private volatile bool _joined;
    private volatile string? _lastError;

    internal NatsBridge(Router router, NatsSettings settings)
    {
        _router = router;
        _settings = settings;
        _publisher = new NatsPublisher(settings.Space, settings.Host, settings.LiveTimeout);
        _presence = new PresenceSync(router, settings, _publisher);
        var handler = new EnvelopeHandler(router, _publisher, new RecentAsks(TimeProvider.System));
        _inbox = new InboxConsumer(handler);
        _liveAcks = new LiveAckBatcher(settings.Space, settings.Host);
        _live = new LiveInbox(handler, _liveAcks, settings.Space, settings.Host);
        _liveListener = _publisher.LiveEnabled ? new LiveAckListener(_publisher.Attempts, settings.Space, settings.Host) : null;
        router.LocalPeersChanged = _presence.Poke;
        router.NatsStatus = Status;
    }

    /// <summary>For <c>hub_status</c>: must not block (called under the router lock).</summary>
    private NatsStatusInfo Status()
    {
        var connection = _connection;
        var open = connection is { ConnectionState: NatsConnectionState.Open };
        return new NatsStatusInfo
        {
            State = !_joined ? "connecting" : open ? "joined" : "disconnected",
            Host = _settings.Host,
            Space = _settings.Space,
            Urls = string.Join(',', _settings.Urls),
            Server = open && connection!.ServerInfo is { } info ? $"{info.Name} ({info.Host}:{info.Port}, nats-server {info.Version})" : null,
            LastError = _lastError,
            ClockSkewMs = _presence.ClockSkewMs,
            LiveTimeoutMs = (long)_settings.LiveTimeout.TotalMilliseconds,
            LiveRefused = _publisher.LiveRefused,
            SentLive = _publisher.SentLive,
            SentDurable = _publisher.SentDurable,
        };
    }

    private ValueTask OnServerErrorAsync(object? sender, NatsServerErrorEventArgs args)
    {
        _lastError = args.Error;
        _log.Event(LogLevel.Warn, "nats_server_error", ("error", args.Error));
        if (args.Error.Contains("Permissions Violation", StringComparison.OrdinalIgnoreCase)
            && (args.Error.Contains("\"relay-live.", StringComparison.Ordinal) || args.Error.Contains("\"relay-ack.", StringComparison.Ordinal))
            && !_publisher.LiveRefused)
        {
            // Permissions written before the live path: this hub leaves it both ways and uses the stream only, rather
            // than have every envelope wait out the live timeout. With its live inbox gone, the other hubs hear "no
            // responders" and use the stream for envelopes to this host at once.
            _publisher.RefuseLive();
            _liveStop.Cancel();
            _log.Event(LogLevel.Warn, "nats_live_refused", ("host", _settings.Host));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Starts joining in the background; returns at once.</summary>
    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        _log.Event(LogLevel.Info, "nats_start", ("settings", _settings.ToString()));
        var publishing = _publisher.RunAsync(cancellationToken);
        var sweeping = _presence.SweepAsync(cancellationToken);
        try
        {
            var (js, consumer, store) = await JoinAsync(cancellationToken).ConfigureAwait(false);
            _publisher.Attach(js, _liveListener);
            _store = store;
            _joined = true;
            _log.Event(LogLevel.Info, "nats_joined", ("host", _settings.Host), ("space", _settings.Space));
            await Task.WhenAll(
                publishing,
                sweeping,
                _inbox.RunAsync(consumer, cancellationToken),
                RunLiveAsync(js.Connection, cancellationToken),
                _presence.HeartbeatAsync(store, cancellationToken),
                _presence.WatchAsync(store, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The bridge failing must never take the local hub down; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.Event(LogLevel.Error, "nats_failed", ex);
        }
    }

    /// <summary>
    /// The live path: the live inbox and its acknowledgements (always, so that other hubs can send here live), and the
    /// listener for this hub's own acknowledgements (when it sends live). Ends early, leaving the stream alone, when
    /// the server refuses the live subjects.
    /// </summary>
    private async Task RunLiveAsync(INatsConnection connection, CancellationToken cancellationToken)
    {
        using var live = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _liveStop.Token);
        try
        {
            await Task.WhenAll(
                _live.RunAsync(connection, live.Token),
                _liveAcks.RunAsync(connection, live.Token),
                _liveListener?.RunAsync(connection, live.Token) ?? Task.CompletedTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (live.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Connects and sets up the space, retrying (every 1–5 s) until it works or the hub stops.</summary>
    private async Task<(INatsJSContext Js, INatsJSConsumer Consumer, INatsKVStore Store)> JoinAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                if (_connection is null)
                {
                    _connection = new NatsConnection(_settings.ToNatsOpts());
                    _connection.ServerError += OnServerErrorAsync;
                }

                await _connection.ConnectAsync().ConfigureAwait(false);
                var js = new NatsJSContext(_connection);
                await js.CreateOrUpdateStreamAsync(
                    new StreamConfig(NatsNames.Stream(_settings.Space), [NatsNames.StreamSubjects(_settings.Space)])
                    {
                        Retention = StreamConfigRetention.Workqueue,
                        MaxAge = StreamMaxAge,
                        Storage = StreamConfigStorage.File,
                        NumReplicas = _settings.Replicas,
                    },
                    cancellationToken).ConfigureAwait(false);
                var consumer = await js.CreateOrUpdateConsumerAsync(
                    NatsNames.Stream(_settings.Space),
                    new ConsumerConfig(NatsNames.Consumer(_settings.Host))
                    {
                        FilterSubject = NatsNames.HostFilter(_settings.Space, _settings.Host),
                        AckPolicy = ConsumerConfigAckPolicy.Explicit,
                        AckWait = TimeSpan.FromSeconds(30),
                        MaxAckPending = 10_000,
                    },
                    cancellationToken).ConfigureAwait(false);
                var kv = new NatsKVContext(js);
                var store = await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(NatsNames.Bucket(_settings.Space)) { MaxAge = BucketMaxAge, History = 1, NumberOfReplicas = _settings.Replicas }, cancellationToken).ConfigureAwait(false);
                return (js, consumer, store);
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or IOException)
            {
                // The outer message is often only "can not connect"; the server's reason is inside.
                var reasons = new List<string>();
                for (Exception? e = ex; e is not null; e = e.InnerException)
                {
                    reasons.Add(e.Message);
                }

                _lastError = string.Join(": ", reasons.Distinct(StringComparer.Ordinal));
                if (attempt++ == 0)
                {
                    _log.Event(LogLevel.Warn, "nats_unreachable", ("urls", string.Join(',', _settings.Urls)), ("error", ex.Message));
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _router.LocalPeersChanged = null;
        if (_store is { } store && _connection is { ConnectionState: NatsConnectionState.Open })
        {
            try
            {
                using var withdraw = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _presence.WithdrawAsync(store, withdraw.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or IOException or OperationCanceledException)
            {
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is { } run)
        {
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        }

        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _liveStop.Dispose();
        _presence.Dispose();
        _publisher.Dispose();
    }
}
