using System.Net.Sockets;

namespace Relay.Bench.Infra;

/// <summary>Newline-delimited lines over a connected socket: one thread blocked in recv(2), writes with one send(2).</summary>
internal sealed class SocketLineReader : IDisposable
{
    private readonly Socket _socket;
    private readonly LineCallback _onLine;
    private readonly Thread _thread;
    private readonly Lock _writeGate = new();

    public SocketLineReader(Socket socket, LineCallback onLine)
    {
        _socket = socket;
        _onLine = onLine;
        _thread = new Thread(Loop) { IsBackground = true, Name = "socket reader" };
        _thread.Start();
    }

    public ManualResetEventSlim Closed { get; } = new(false);

    public void WriteLine(ReadOnlySpan<byte> line)
    {
        var buffer = new byte[line.Length + 1];
        line.CopyTo(buffer);
        buffer[^1] = (byte)'\n';
        lock (_writeGate)
        {
            var sent = 0;
            while (sent < buffer.Length)
            {
                sent += _socket.Send(buffer.AsSpan(sent));
            }
        }
    }

    private void Loop()
    {
        try
        {
            BlockingLines.Run(span => _socket.Receive(span), _onLine);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Closed.Set();
        }
    }

    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _thread.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();
        Closed.Dispose();
    }
}
