using System.Net.Sockets;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>
/// Who is on the other end of an accepted Unix socket: the kernel's <c>SO_PEERCRED</c> (pid, uid, gid of the
/// process that connected), so the hub serves only its own user whatever the socket file's mode says.
/// </summary>
internal static class PeerCredentials
{
    /// <summary>The effective uid of this process: the only user the hub serves.</summary>
    public static uint OwnUid => Libc.EffectiveUid;

    /// <summary>The connected process's pid and uid, or null when the kernel would not say (the hub then refuses).</summary>
    public static (int Pid, uint Uid)? Of(Socket socket)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Libc.TryGetPeerCredentials(handle.DangerousGetHandle(), out var credentials) ? (credentials.Pid, credentials.Uid) : null;
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
