using System.Net.Sockets;

namespace Relay.Tests.Inbox;

internal static class StaleSocket
{
    /// <summary>
    /// Leaves a socket file nobody listens on, as a crashed process would. .NET unlinks a socket it bound when it is
    /// disposed, so bind under another name and move the file into place first.
    /// </summary>
    public static void Create(string path)
    {
        var temporary = path + ".tmp.sock";
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(temporary));
        File.Move(temporary, path);
    }
}
