using NLog;
using Relay.Inbox;
using Relay.Runtime;

namespace Relay.Hub.Native;

/// <summary>
/// Makes every live Claude Code session on this machine a peer, plugin or not. Reads Claude Code's session records
/// (<c>~/.claude/sessions/*.json</c>: a live pid whose start time matches, and an inbox socket), skips the sessions
/// whose relay channel registered itself (it names its session's pid), and keeps the router's native peers in step:
/// new sessions join, ended ones leave (their askers get <c>peer_gone</c>). Rescans when the sessions folder changes
/// (a burst of changes — Claude Code rewrites its record on every status change — becomes one scan
/// <see cref="Settle"/> later) and every <see cref="Interval"/> (a crashed session leaves its file behind).
/// </summary>
internal sealed class NativeSessions : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>How long a change in the sessions folder waits for the rest of its burst before one scan.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);

    private readonly Router _router;
    private readonly ClaudeSessions _sessions;
    private readonly InboxOutbox _outbox = new();
    private readonly Logger _log = RelayLog.For("hub");
    private readonly Lock _scanGate = new();
    private readonly ITimer _timer;
    private readonly ITimer _settle;
    private bool _settling;
    private readonly FileSystemWatcher? _watcher;
    private bool _disposed;

    public NativeSessions(Router router, ClaudeHome home, TimeProvider time)
    {
        _router = router;
        _sessions = new ClaudeSessions(home);
        _timer = time.CreateTimer(_ => Scan(), null, TimeSpan.Zero, Interval);
        _settle = time.CreateTimer(_ => ScanAfterSettle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            Directory.CreateDirectory(home.SessionsDir);
            _watcher = new FileSystemWatcher(home.SessionsDir, "*.json") { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite };
            _watcher.Created += (_, _) => ScanSoon();
            _watcher.Deleted += (_, _) => ScanSoon();
            _watcher.Changed += (_, _) => ScanSoon();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _log.Event(LogLevel.Info, "native_watch_unavailable", ("dir", home.SessionsDir), ("error", ex.Message));
        }
    }

    /// <summary>Asks for one scan <see cref="Settle"/> from now; further requests meanwhile join that scan.</summary>
    public void ScanSoon()
    {
        lock (_scanGate)
        {
            if (_disposed || _settling)
            {
                return;
            }

            _settling = true;
            _settle.Change(Settle, Timeout.InfiniteTimeSpan);
        }
    }

    private void ScanAfterSettle()
    {
        lock (_scanGate)
        {
            _settling = false;
        }

        Scan();
    }

    /// <summary>Brings the native peers in line with the live sessions. Safe to call from any thread, any time.</summary>
    public void Scan()
    {
        lock (_scanGate)
        {
            if (_disposed)
            {
                return;
            }

            IReadOnlyList<ClaudeSessionRecord> live;
            try
            {
                live = _sessions.List();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _log.Event(LogLevel.Warn, "native_scan_failed", ("error", ex.Message));
                return;
            }

            _router.SyncNativeSessions(live, record => new NativeSessionPeer(record, _outbox, _router.HandleMessage, _router.Now));
        }
    }

    public void Dispose()
    {
        lock (_scanGate)
        {
            _disposed = true;
        }

        _timer.Dispose();
        _settle.Dispose();
        _watcher?.Dispose();
        _outbox.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(1));
    }
}
