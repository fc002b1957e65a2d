using System.Net.Sockets;

namespace Relay.Bench.Echo;

/// <summary>
/// The floor's other end: a process that sends every line straight back, with blocking I/O and no parsing, so a
/// ping-pong through it costs only what the kernel and two process wake-ups cost.
/// </summary>
internal static class EchoServers
{
    /// <summary><c>--echo-stdio</c>: stdin lines back to stdout until EOF.</summary>
    public static int RunStdio()
    {
        using var input = Console.OpenStandardInput();
        using var output = Console.OpenStandardOutput();
        Pump(input.Read, buffer => output.Write(buffer));
        return 0;
    }

    /// <summary><c>--echo-unix SOCKET</c>: accepts one connection and echoes its lines until it closes.</summary>
    public static int RunUnix(string socketPath)
    {
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        using var connection = listener.Accept();
        Pump(buffer => connection.Receive(buffer), buffer =>
        {
            while (!buffer.IsEmpty)
            {
                buffer = buffer[connection.Send(buffer)..];
            }
        });
        File.Delete(socketPath);
        return 0;
    }

    private delegate int ReadInto(Span<byte> buffer);

    private delegate void WriteFrom(ReadOnlySpan<byte> buffer);

    /// <summary>Writes back every complete line as soon as it is in; keeps a partial line until its newline arrives.</summary>
    private static void Pump(ReadInto read, WriteFrom write)
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        while (true)
        {
            int n;
            try
            {
                n = read(buffer.AsSpan(filled));
            }
            catch (IOException)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            if (n <= 0)
            {
                return;
            }

            filled += n;
            var end = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n');
            if (end < 0)
            {
                continue;
            }

            write(buffer.AsSpan(0, end + 1));
            var rest = filled - end - 1;
            buffer.AsSpan(end + 1, rest).CopyTo(buffer);
            filled = rest;
        }
    }
}
