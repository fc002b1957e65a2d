using Relay.Runtime;

namespace Relay.Hub;

/// <summary>Detaching and signalling processes by exact pid, for the hub and <c>relay hub stop</c>.</summary>
public static class ProcessControl
{
    public const int SIGKILL = Libc.SIGKILL;
    public const int SIGTERM = Libc.SIGTERM;

    /// <summary>
    /// Leaves the caller's session (so a terminal's Ctrl-C or hang-up never reaches the hub) and points fds 0, 1 and 2
    /// at /dev/null (so the hub never holds its spawner's pipes open). Call before anything touches the console.
    /// </summary>
    public static void Detach()
    {
        // Fails with EPERM only when this process already leads a process group; then it is detached enough.
        _ = Libc.SetSid();
        using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
        var fd = (int)devNull.DangerousGetHandle();
        for (var target = 0; target <= 2; target++)
        {
            _ = Libc.Dup2(fd, target);
        }
    }

    /// <summary>The session id of <paramref name="pid"/> (0 = this process), or -1.</summary>
    public static int SessionOf(int pid) => Libc.GetSid(pid);

    /// <summary>Sends <paramref name="signal"/> to exactly <paramref name="pid"/>; false when it no longer exists.</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && Libc.Kill(pid, signal) == 0;

    /// <summary>True while <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0 || Libc.Kill(pid, 0) != 0)
        {
            return false;
        }

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
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}
