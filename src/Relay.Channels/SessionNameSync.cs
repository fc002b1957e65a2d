using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Channels;

/// <summary>
/// Follows Claude Code's own <c>/rename</c>: watches <c>~/.claude/sessions/&lt;claude pid&gt;.json</c> (event-driven,
/// a FileSystemWatcher on the directory) and renames the peer to the slug of a user-given name. Names Claude Code
/// derived itself are ignored, a half-written or missing file is skipped until the next write, and a failed rename
/// (name_taken, no hub) is logged and never disturbs the channel.
/// </summary>
internal sealed class SessionNameSync : IDisposable
{
    private readonly string _file;
    private readonly HubLink _link;
    private readonly Logger _log;
    private readonly SemaphoreSlim _serial = new(1, 1);
    private readonly CancellationToken _stopping;
    private FileSystemWatcher? _watcher;
    private string? _lastSeen;

    private SessionNameSync(string file, HubLink link, Logger log, CancellationToken stopping)
    {
        _file = file;
        _link = link;
        _log = log;
        _stopping = stopping;
        _lastSeen = SessionFile.TryReadUserName(file);
    }

    /// <summary>The sessions file of this channel's parent (the claude process), or null when there is no parent.</summary>
    public static string? FileForParent()
    {
        var parent = Libc.GetParentPid();
        return parent > 1 ? Path.Combine(DataDir.Home, ".claude", "sessions", parent.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".json") : null;
    }

    /// <summary>Starts watching; null when the sessions directory does not exist (not started by Claude Code).</summary>
    public static SessionNameSync? Start(string? file, HubLink link, Logger log, CancellationToken stopping)
    {
        var directory = file is null ? null : Path.GetDirectoryName(file);
        if (directory is null || !Directory.Exists(directory))
        {
            log.Event(LogLevel.Debug, "session_sync_off", ("file", file));
            return null;
        }

        var sync = new SessionNameSync(file!, link, log, stopping);
        try
        {
            var watcher = new FileSystemWatcher(directory, Path.GetFileName(file!))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += sync.OnEvent;
            watcher.Created += sync.OnEvent;
            watcher.Renamed += sync.OnEvent;
            watcher.EnableRaisingEvents = true;
            sync._watcher = watcher;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            // inotify limits reached, or the directory vanished: run without /rename sync.
            log.Event(LogLevel.Warn, "session_sync_failed", ("file", file), ("error", ex.Message));
            sync.Dispose();
            return null;
        }

        log.Event(LogLevel.Debug, "session_sync_on", ("file", file));
        return sync;
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => _ = SyncAsync();

    private async Task SyncAsync()
    {
        try
        {
            await _serial.WaitAsync(_stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }

        try
        {
            // Claude Code rewrites the file for status changes too: act only when the name itself changed.
            var name = SessionFile.TryReadUserName(_file);
            if (name is null || name == _lastSeen)
            {
                return;
            }

            _lastSeen = name;
            var slug = PeerNames.Slugify(name);
            if (slug == _link.Name)
            {
                return;
            }

            await RenameAsync(name, slug).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    private async Task RenameAsync(string sessionName, string slug)
    {
        try
        {
            var answer = await _link.RenameAsync(slug, _stopping).ConfigureAwait(false);
            if (answer is ErrMessage err)
            {
                _log.Event(LogLevel.Warn, "session_sync_rename_refused", ("session_name", sessionName), ("name", slug), ("code", err.Code));
            }
            else
            {
                _log.Event(LogLevel.Info, "session_sync_renamed", ("session_name", sessionName), ("name", slug));
            }
        }
        catch (HubUnreachableException)
        {
            // Take the name at the next registration instead.
            _link.PreferName(slug);
            _log.Event(LogLevel.Info, "session_sync_deferred", ("session_name", sessionName), ("name", slug));
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The semaphore is left to the GC: a sync still in flight at exit may release it.
    public void Dispose() => _watcher?.Dispose();
}
