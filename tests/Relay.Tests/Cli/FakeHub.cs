using System.Net.Sockets;
using System.Text;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Tests.Cli;

/// <summary>A scripted stand-in for a hub on a Unix socket: answers each client line with what the test decides.</summary>
public sealed class FakeHub : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<ClientMessage, ServerMessage?> _answer;
    private readonly Task _accepting;

    public FakeHub(string socketPath, Func<ClientMessage, ServerMessage?> answer)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _answer = answer;
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    /// <summary>A hub of another protocol version: hub_status reports it, register and watch err protocol_mismatch.</summary>
    public static FakeHub OtherProtocol(string socketPath, int version) => new(socketPath, message => message switch
    {
        HubStatusMessage => new HubStatusReplyMessage
        {
            Pid = Environment.ProcessId,
            ProtocolVersion = version,
            Socket = socketPath,
            StartedAt = DateTimeOffset.UtcNow,
            UptimeMs = 1000,
            PeerCount = 0,
            PendingAsks = 0,
            Observers = 0,
        },
        _ => new ErrMessage { Code = ErrorCodes.ProtocolMismatch, Message = $"hub speaks protocol {version}" },
    });

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var connection = await _listener.AcceptAsync(_stop.Token);
                _ = ServeAsync(connection);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using var _ = connection;
        await using var stream = new NetworkStream(connection);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                ClientMessage message;
                try
                {
                    message = RelayJson.ParseClient(Encoding.UTF8.GetBytes(line));
                }
                catch (RelayJsonException)
                {
                    continue;
                }

                if (_answer(message) is { } answer)
                {
                    answer.ReqId = message.ReqId;
                    await stream.WriteAsync(RelayJson.Serialize(answer), _stop.Token);
                    await stream.WriteAsync("\n"u8.ToArray(), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
