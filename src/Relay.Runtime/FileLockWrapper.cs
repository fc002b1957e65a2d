using NLog.Common;
using NLog.Targets;
using NLog.Targets.Wrappers;

namespace Relay.Runtime;

/// <summary>
/// Serializes writes of several processes to one log file: holds an exclusive flock on a lock file while the wrapped
/// file target opens, appends and closes. (.NET's append mode seeks to the end at open, so two processes writing
/// without a lock can overwrite each other's lines.)
/// </summary>
[Target("FileLock", IsWrapper = true)]
public sealed class FileLockWrapper : WrapperTargetBase
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);
    private readonly string _lockPath;

    public FileLockWrapper(string lockPath, Target wrapped)
    {
        _lockPath = lockPath;
        WrappedTarget = wrapped;
    }

    protected override void Write(AsyncLogEventInfo logEvent)
    {
        using var held = Acquire();
        WrappedTarget!.WriteAsyncLogEvent(logEvent);
    }

    private FileStream? Acquire()
    {
        var deadline = Environment.TickCount64 + (long)MaxWait.TotalMilliseconds;
        while (true)
        {
            try
            {
                // FileShare.None is an flock(LOCK_EX | LOCK_NB) on Unix.
                return new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(1);
            }
            catch (IOException)
            {
                // Write unlocked rather than lose the line.
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
