using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Relay.Hub;

/// <summary>
/// Who is on the other end of an accepted Unix socket: the kernel's <c>SO_PEERCRED</c> (pid, uid, gid of the
/// process that connected), so the hub serves only its own user whatever the socket file's mode says.
/// </summary>
internal static partial class PeerCredentials
{
    private const int SOL_SOCKET = 1;
    private const int SO_PEERCRED = 17;

    /// <summary>The kernel's <c>struct ucred</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct UCred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(nint socket, int level, int option, out UCred value, ref uint length);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUid();

    /// <summary>The effective uid of this process: the only user the hub serves.</summary>
    public static uint OwnUid { get; } = GetEffectiveUid();

    /// <summary>The connected process's pid and uid, or null when the kernel would not say (the hub then refuses).</summary>
    public static (int Pid, uint Uid)? Of(Socket socket)
    {
        var length = (uint)Marshal.SizeOf<UCred>();
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return GetSockOpt(handle.DangerousGetHandle(), SOL_SOCKET, SO_PEERCRED, out var credentials, ref length) == 0
                ? (credentials.Pid, credentials.Uid)
                : null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
