using System.Net.Sockets;
using System.Threading.Channels;

namespace Relay.Tests.Inbox;

/// <summary>A bare Unix-socket server that records everything each connection sent, one entry per connection.</summary>
internal sealed class RawInboxServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public RawInboxServer(string path)
    {
        Path = path;
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _socket.Listen(64);
        _loop = Task.Run(AcceptAsync);
    }

    public string Path { get; }

    public Channel<byte[]> Connections { get; } = Channel.CreateUnbounded<byte[]>();

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var stream = new NetworkStream(client, ownsSocket: true);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                await Connections.Writer.WriteAsync(buffer.ToArray());
            });
        }
    }

    public async Task<byte[]> NextAsync() => await Connections.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
