using System.Runtime.InteropServices;

namespace Relay.Runtime;

/// <summary>
/// Every Linux call relay makes that .NET does not expose, in one place (AOT-safe source-generated imports). The
/// classes that give them meaning — <c>ProcessControl</c>, <c>PeerCredentials</c>, <c>ParentWatch</c>,
/// <see cref="DataDirSafety"/> — call these.
/// </summary>
public static partial class Libc
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const short POLLIN = 0x001;
    public const int EINTR = 4;

    private const int PR_SET_PDEATHSIG = 1;
    private const int SOL_SOCKET = 1;
    private const int SO_PEERCRED = 17;
    private const int AT_FDCWD = -100;

    // pidfd_open has the same number on every architecture (added after the syscall tables were unified).
    private const long SYS_pidfd_open = 434;

    /// <summary>One entry of <c>poll(2)</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>The kernel's <c>struct ucred</c> (<c>SO_PEERCRED</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UCred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    /// <summary>The effective uid of this process.</summary>
    public static uint EffectiveUid { get; } = GetEffectiveUidNative();

    /// <summary><c>getppid(2)</c>.</summary>
    public static int GetParentPid() => GetParentPidNative();

    /// <summary><c>poll(2)</c> on one descriptor.</summary>
    public static int Poll(ref PollFd fd, int timeoutMs) => PollNative(ref fd, 1, timeoutMs);

    /// <summary>Asks the kernel to send <paramref name="signal"/> when the parent thread exits (<c>PR_SET_PDEATHSIG</c>).</summary>
    public static int SetParentDeathSignal(int signal) => PrctlNative(PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0);

    /// <summary><c>close(2)</c>.</summary>
    public static int Close(int fd) => CloseNative(fd);

    /// <summary><c>setsid(2)</c>.</summary>
    public static int SetSid() => SetSidNative();

    /// <summary><c>dup2(2)</c>.</summary>
    public static int Dup2(int oldFd, int newFd) => Dup2Native(oldFd, newFd);

    /// <summary><c>kill(2)</c>: 0 when sent.</summary>
    public static int Kill(int pid, int signal) => KillNative(pid, signal);

    /// <summary><c>getsid(2)</c>.</summary>
    public static int GetSid(int pid) => GetSidNative(pid);

    /// <summary>The <c>SO_PEERCRED</c> of a connected Unix socket; false when the kernel would not say.</summary>
    public static bool TryGetPeerCredentials(nint socket, out UCred credentials)
    {
        var length = (uint)Marshal.SizeOf<UCred>();
        return GetSockOptNative(socket, SOL_SOCKET, SO_PEERCRED, out credentials, ref length) == 0;
    }

    /// <summary><c>statx(2)</c> of <paramref name="path"/> into <paramref name="buffer"/> (256 bytes); 0 on success.</summary>
    public static int Statx(string path, uint mask, byte[] buffer) => StatxNative(AT_FDCWD, path, 0, mask, buffer);

    /// <summary>A file descriptor that becomes readable when <paramref name="pid"/> exits, or -1 (see errno).</summary>
    public static int PidFdOpen(int pid) => (int)SyscallNative(SYS_pidfd_open, pid, 0);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUidNative();

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentPidNative();

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(ref PollFd fd, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int PrctlNative(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static partial int SetSidNative();

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2Native(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getsid", SetLastError = true)]
    private static partial int GetSidNative(int pid);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOptNative(nint socket, int level, int option, out UCred value, ref uint length);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirFd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallNative(long number, int pid, uint flags);
}
