using System.Net.Sockets;

namespace Relay.Tests.Infrastructure;

/// <summary>The tests' raw line splitter for a socket: every complete line, in order; a cut-off last line is never delivered.</summary>
public static class SocketLines
{
    /// <summary>Reads until the peer closes; socket errors propagate to the caller.</summary>
    public static async Task ReadAsync(Socket socket, Action<byte[]> onLine, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(onLine);
        var buffer = new byte[64 * 1024];
        using var pending = new MemoryStream();
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return;
            }

            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                pending.Write(buffer, start, i - start);
                onLine(pending.ToArray());
                pending.SetLength(0);
                start = i + 1;
            }

            pending.Write(buffer, start, read - start);
        }
    }
}
