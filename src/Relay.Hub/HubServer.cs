using System.Runtime.InteropServices;
using NLog;
using Relay.Protocol;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>How a hub run ended.</summary>
public enum HubRunResult
{
    /// <summary>The hub served and then stopped (signal, idle exit, or cancellation).</summary>
    Stopped,

    /// <summary>Another hub holds the socket path; this one never listened.</summary>
    AnotherHubRunning,
}

/// <summary>
/// The hub process: owns the socket path (flock on <c>&lt;socket&gt;.lock</c>), accepts connections, and stops on
/// SIGINT/SIGTERM/SIGHUP, on cancellation, or when it has had no peer for <see cref="HubOptions.IdleExit"/>.
/// </summary>
public sealed class HubServer : IDisposable
{
    private const int Backlog = 512;
    private readonly HubOptions _options;
    private readonly Logger _log = RelayLog.For("hub");
    private readonly CancellationTokenSource _stop = new();
    private string _stopReason = "cancelled";

    public HubServer(HubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Serves until stopped. Returns at once with <see cref="HubRunResult.AnotherHubRunning"/> when the path is taken.</summary>
    public async Task<HubRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        using var ownership = SocketOwnership.TryAcquire(_options.SocketPath);
        if (ownership is null)
        {
            _log.Event(LogLevel.Debug, HubLogEvents.HubNotStarted, ("socket", _options.SocketPath), ("reason", "another hub holds the lock"));
            return HubRunResult.AnotherHubRunning;
        }

        using var router = new Router(_options, RequestStop);
        using var signals = RegisterSignals();
        await using var cancelRegistration = cancellationToken.Register(() => RequestStop("cancelled")).ConfigureAwait(false);
        var connections = new List<Task>();
        using (var listener = ownership.Listen(Backlog))
        {
            SharedSocketForTests.ApplyIfRequested(_options.SocketPath);
            _log.Event(
                LogLevel.Info,
                HubLogEvents.HubStart,
                ("socket", _options.SocketPath),
                ("protocol_version", ProtocolVersion.Current),
                ("version", RelayVersion.Text),
                ("idle_exit_ms", (long)_options.IdleExit.TotalMilliseconds));
            router.Start();
            using var natives = _options.ClaudeHome is { } home ? new Native.NativeSessions(router, home, TimeProvider.System) : null;
            await using var bridge = _options.Nats is { } nats ? new Nats.NatsBridge(router, nats) : null;
            bridge?.Start();
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var socket = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                    if (!SameUserGate.Admit(socket))
                    {
                        continue;
                    }

                    var connection = new SocketPeer(socket, router, _options);
                    router.OnConnected(connection);
                    connections.RemoveAll(static t => t.IsCompleted);
                    connections.Add(Task.Run(connection.RunAsync, CancellationToken.None));
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                // The socket file goes first, so no client connects to a hub on its way out.
                ownership.RemoveSocket();
            }
        }

        router.CloseAll();
        await Task.WhenAny(Task.WhenAll(connections), Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
        _log.Event(LogLevel.Info, HubLogEvents.HubStop, ("reason", _stopReason), ("uptime_ms", (long)router.Uptime.TotalMilliseconds));
        return HubRunResult.Stopped;
    }

    /// <summary>Asks the hub to stop; safe from any thread, any number of times.</summary>
    public void RequestStop(string reason)
    {
        lock (_stop)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stopReason = reason;
            _stop.Cancel();
        }
    }

    public void Dispose() => _stop.Dispose();

    private CompositeDisposable RegisterSignals()
    {
        var registrations = new CompositeDisposable();
        foreach (var (signal, name) in new[] { (PosixSignal.SIGTERM, "sigterm"), (PosixSignal.SIGINT, "sigint"), (PosixSignal.SIGHUP, "sighup") })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // Handled here: the hub removes its socket and exits 0 instead of dying on the default action.
                context.Cancel = true;
                RequestStop(name);
            }));
        }

        return registrations;
    }

    private sealed class CompositeDisposable : IDisposable
    {
        private readonly List<IDisposable> _items = [];

        public void Add(IDisposable item) => _items.Add(item);

        public void Dispose()
        {
            foreach (var item in _items)
            {
                item.Dispose();
            }
        }
    }
}
