using Relay.Hub;
using Relay.Runtime;

namespace Relay.Tests.Infrastructure;

/// <summary>Signals by exact pid for tests (the product's <see cref="ProcessControl"/>), plus the signal numbers tests send.</summary>
public static class Posix
{
    public const int SIGINT = 2;
    public const int SIGKILL = ProcessControl.SIGKILL;
    public const int SIGTERM = ProcessControl.SIGTERM;
    public const int SIGSTOP = 19;
    public const int SIGCONT = 18;

    /// <summary>This process's effective uid.</summary>
    public static uint EffectiveUid() => Libc.EffectiveUid;

    /// <summary>Sends <paramref name="signal"/> to exactly <paramref name="pid"/>; false when it no longer exists.</summary>
    public static bool Kill(int pid, int signal) => ProcessControl.Signal(pid, signal);

    /// <summary>True while <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => ProcessControl.IsAlive(pid);

    /// <summary>Waits until <paramref name="pid"/> is gone; false on timeout.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout)
    {
        try
        {
            await Poll.UntilAsync(() => !IsAlive(pid), $"process {pid} to exit", timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
