using System.Runtime.InteropServices;
using NLog;
using Relay.Runtime;

namespace Relay.Channels;

/// <summary>
/// Stops the channel when its parent (the Claude Code process) dies, event-driven: a pidfd of the parent polled on a
/// small dedicated thread, falling back to <c>PR_SET_PDEATHSIG</c> where pidfds are unavailable. If claude is
/// SIGKILLed the channel may never see stdin EOF (another process can hold the pipe), so this is what prevents orphans.
/// </summary>
internal static class ParentWatch
{
    public static void Start(StopSource stop, Logger log)
    {
        var parent = Libc.GetParentPid();
        if (parent <= 1)
        {
            // Started by init (or already orphaned before we looked): there is no parent to outlive.
            log.Event(LogLevel.Debug, "parent_watch_skipped", ("ppid", parent));
            return;
        }

        var fd = Libc.PidFdOpen(parent);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // Fallback: the kernel signals us when the parent thread exits. SIGTERM goes through ShutdownSignals.
            _ = Libc.SetParentDeathSignal(Libc.SIGTERM);
            log.Event(LogLevel.Debug, "parent_watch_pdeathsig", ("ppid", parent), ("errno", errno));
            CheckStillParent(parent, stop);
            return;
        }

        // The parent may have died between getppid() and pidfd_open(), and its pid may even be reused.
        if (CheckStillParent(parent, stop))
        {
            _ = Libc.Close(fd);
            return;
        }

        var thread = new Thread(() => WaitForExit(fd, parent, stop, log), maxStackSize: 128 * 1024)
        {
            IsBackground = true,
            Name = "relay-parent-watch",
        };
        thread.Start();
    }

    private static bool CheckStillParent(int parent, StopSource stop)
    {
        if (Libc.GetParentPid() != parent)
        {
            stop.Request("parent_gone");
            return true;
        }

        return false;
    }

    private static void WaitForExit(int fd, int parent, StopSource stop, Logger log)
    {
        var poll = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
        while (true)
        {
            var ready = Libc.Poll(ref poll, -1);
            if (ready > 0)
            {
                break;
            }

            var errno = ready < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (ready < 0 && errno != Libc.EINTR)
            {
                log.Event(LogLevel.Warn, "parent_watch_failed", ("ppid", parent), ("errno", errno));
                _ = Libc.Close(fd);
                return;
            }
        }

        _ = Libc.Close(fd);
        stop.Request("parent_gone");
    }
}
