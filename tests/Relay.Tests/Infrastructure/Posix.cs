using System.Runtime.InteropServices;

namespace Relay.Tests.Infrastructure;

/// <summary>The few libc calls tests need: signals by exact pid.</summary>
public static partial class Posix
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGSTOP = 19;
    public const int SIGCONT = 18;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int KillNative(int pid, int signal);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUid();

    /// <summary>This process's effective uid.</summary>
    public static uint EffectiveUid() => GetEffectiveUid();

    /// <summary>Sends <paramref name="signal"/> to exactly <paramref name="pid"/>; false when it no longer exists.</summary>
    public static bool Kill(int pid, int signal) => pid > 0 && KillNative(pid, signal) == 0;

    public static bool IsAlive(int pid)
    {
        if (pid <= 0 || KillNative(pid, 0) != 0)
        {
            return false;
        }

        // A zombie still answers kill(0); treat it as gone.
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits until <paramref name="pid"/> is gone; false on timeout.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
