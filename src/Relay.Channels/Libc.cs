using System.Runtime.InteropServices;

namespace Relay.Channels;

/// <summary>The few Linux calls the channel needs that .NET does not expose.</summary>
internal static partial class Libc
{
    public const short POLLIN = 0x001;
    public const int EINTR = 4;
    public const int PR_SET_PDEATHSIG = 1;
    public const int SIGTERM = 15;

    // pidfd_open has the same number on every architecture (added after the syscall tables were unified).
    private const long SYS_pidfd_open = 434;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetParentPid();

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollFd fd, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>A file descriptor that becomes readable when <paramref name="pid"/> exits, or -1 (see errno).</summary>
    public static int PidFdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0);
}
