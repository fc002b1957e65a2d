using System.Net.Sockets;
using NLog;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>
/// Admits only connections from the hub's own user (checked with <c>SO_PEERCRED</c>, not file modes). A refused
/// connection is logged (<c>peer_refused_uid</c>) and closed before the hub reads or writes a single line.
/// </summary>
internal static class SameUserGate
{
    private static readonly Logger Log = RelayLog.For("hub");

    /// <summary>True when <paramref name="socket"/> may be served; otherwise it has been closed.</summary>
    public static bool Admit(Socket socket)
    {
        var credentials = PeerCredentials.Of(socket);
        if (credentials is { Uid: var uid } && uid == PeerCredentials.OwnUid)
        {
            return true;
        }

        Log.Event(
            LogLevel.Warn,
            "peer_refused_uid",
            ("uid", credentials is { } known ? (long)known.Uid : -1L),
            ("pid", credentials?.Pid ?? -1),
            ("hub_uid", (long)PeerCredentials.OwnUid));
        socket.Dispose();
        return false;
    }
}
