using Relay.Runtime;

namespace Relay.Bench.Infra;

/// <summary>Signals by pid (never by name).</summary>
internal static class Posix
{
    public const int SIGKILL = Libc.SIGKILL;
    public const int SIGTERM = Libc.SIGTERM;

    public static bool Signal(int pid, int signal) => Libc.Kill(pid, signal) == 0;

    /// <summary>SIGTERM, up to <paramref name="grace"/> to go, then SIGKILL. True when the process is gone.</summary>
    public static bool Terminate(int pid, TimeSpan grace)
    {
        if (!ProcStats.IsAlive(pid))
        {
            return true;
        }

        Signal(pid, SIGTERM);
        if (WaitGone(pid, grace))
        {
            return true;
        }

        Signal(pid, SIGKILL);
        return WaitGone(pid, TimeSpan.FromSeconds(5));
    }

    public static bool WaitGone(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ProcStats.IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(2);
        }

        return true;
    }
}
