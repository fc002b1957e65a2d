using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.Tests.Infrastructure;

/// <summary>
/// A hub connection at the byte level, for tests: sends raw bytes or typed messages, and queues every line the hub
/// sends (parsed, with its raw text) for <see cref="NextAsync"/>. Dispose never throws, whatever state the
/// connection is in (half a line received, the hub gone, the socket reset).
/// </summary>
public sealed class RawHubClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Task _receiveLoop;
    private long _nextReqId;

    private RawHubClient(Socket socket)
    {
        _socket = socket;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The name this client registered with through <see cref="RegisterAsync"/>.</summary>
    public string? Name { get; private set; }

    /// <summary>Completes when the hub closes the connection (or it breaks).</summary>
    public Task Closed => _receiveLoop;

    public static async Task<RawHubClient> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).WaitAsync(DefaultWait);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RawHubClient(socket);
    }

    /// <summary>Connects and registers as <paramref name="name"/>; fails the test unless the hub acks.</summary>
    public static async Task<RawHubClient> RegisterAsync(string socketPath, string name, string? kind = "cli")
    {
        var client = await ConnectAsync(socketPath);
        var ack = await client.RequestAsync<AckMessage>(new RegisterMessage { Name = name, ProtocolVersion = ProtocolVersion.Current, Kind = kind, Cwd = "/tmp/" + name, GitBranch = "main", Pid = Environment.ProcessId });
        client.Name = ack.Name;
        return client;
    }

    /// <summary>Sends exactly these bytes (no newline added).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _sendLock.WaitAsync();
        try
        {
            while (!bytes.IsEmpty)
            {
                var sent = await _socket.SendAsync(bytes, SocketFlags.None);
                bytes = bytes[sent..];
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends one line of text plus a newline.</summary>
    public Task SendLineAsync(string line) => SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>Sends a typed message as one line.</summary>
    public Task SendAsync(ClientMessage message)
    {
        var bytes = RelayJson.Serialize(message);
        var line = new byte[bytes.Length + 1];
        bytes.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return SendRawAsync(line);
    }

    /// <summary>Sends <paramref name="message"/> with a fresh req_id and returns the next message, which must be a <typeparamref name="T"/> answering it.</summary>
    public async Task<T> RequestAsync<T>(ClientMessage message, TimeSpan? wait = null)
        where T : ServerMessage
    {
        message.ReqId ??= NewReqId();
        await SendAsync(message);
        var answer = await NextAsync<T>(wait);
        Assert.Equal(message.ReqId, answer.ReqId);
        return answer;
    }

    /// <summary>Sends <paramref name="message"/> and expects an err with <paramref name="code"/> answering it.</summary>
    public async Task<ErrMessage> RequestErrAsync(ClientMessage message, string code)
    {
        var err = await RequestAsync<ErrMessage>(message);
        Assert.Equal(code, err.Code);
        return err;
    }

    /// <summary>Polls the hub's peer list until <paramref name="name"/> is (or, with <paramref name="listed"/> false, is no longer) in it.</summary>
    public Task WaitForPeerAsync(string name, bool listed = true) =>
        Poll.UntilAsync(
            async () => (await RequestAsync<PeersMessage>(new ListPeersMessage())).Peers.Any(p => p.Name == name) == listed,
            name + (listed ? " to be listed" : " to leave the peer list"),
            DefaultWait);

    public string NewReqId() => "q" + Interlocked.Increment(ref _nextReqId);

    /// <summary>The next line from the hub, parsed. Throws when none comes in time or the connection closed first.</summary>
    public async Task<ServerMessage> NextAsync(TimeSpan? wait = null) => (await NextReceivedAsync(wait)).Message;

    /// <summary>The next line's raw JSON text as well as its parsed form.</summary>
    public async Task<Received> NextReceivedAsync(TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        try
        {
            if (await _received.Reader.WaitToReadAsync(timeout.Token) && _received.Reader.TryRead(out var received))
            {
                return received;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name ?? "client"}: no message from the hub within {(wait ?? DefaultWait).TotalSeconds:0.##} s");
        }

        throw new IOException($"{Name ?? "client"}: the hub closed the connection");
    }

    public async Task<T> NextAsync<T>(TimeSpan? wait = null)
        where T : ServerMessage
    {
        var received = await NextReceivedAsync(wait);
        return received.Message as T
            ?? throw new Xunit.Sdk.XunitException($"{Name ?? "client"}: expected {typeof(T).Name}, got {received.Raw}");
    }

    /// <summary>Expects an err line with <paramref name="code"/> next.</summary>
    public async Task<ErrMessage> NextErrAsync(string code, TimeSpan? wait = null)
    {
        var err = await NextAsync<ErrMessage>(wait);
        Assert.Equal(code, err.Code);
        return err;
    }

    /// <summary>
    /// Asserts nothing is queued for this client: sends <c>hub_status</c> as a barrier and expects its answer next.
    /// The hub handles one connection's lines in order under one lock, so anything it meant to send this client
    /// before handling the barrier arrives before the barrier's answer. A <paramref name="grace"/> first lets
    /// asynchronous causes (another connection closing) reach the hub.
    /// </summary>
    public async Task ExpectNoMessageAsync(TimeSpan? grace = null)
    {
        if (grace is { } delay)
        {
            await Task.Delay(delay);
        }

        var barrier = new HubStatusMessage { ReqId = "barrier-" + NewReqId() };
        await SendAsync(barrier);
        var next = await NextReceivedAsync();
        Assert.True(next.Message is HubStatusReplyMessage reply && reply.ReqId == barrier.ReqId, $"{Name ?? "client"}: expected no message, got {next.Raw}");
    }

    /// <summary>Waits until the hub closes this connection; true when it did within <paramref name="wait"/>.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan? wait = null)
    {
        var finished = await Task.WhenAny(_receiveLoop, Task.Delay(wait ?? DefaultWait));
        return finished == _receiveLoop;
    }

    /// <summary>Closes the connection from this side (the hub sees the peer leave).</summary>
    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            await SocketLines.ReadAsync(_socket, Deliver, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // A reset or our own dispose: the half line in `pending` is dropped.
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }

    private void Deliver(byte[] line)
    {
        var raw = Encoding.UTF8.GetString(line);
        ServerMessage message;
        try
        {
            message = RelayJson.ParseServer(line);
        }
        catch (RelayJsonException ex)
        {
            message = new ErrMessage { Code = "test_unparseable_line", Message = ex.Message };
        }

        _received.Writer.TryWrite(new Received(message, raw));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _stop.Cancel();
            Close();
            _socket.Dispose();
            await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _stop.Dispose();
            _sendLock.Dispose();
        }
    }

    /// <summary>One hub line: parsed, and as it came over the wire.</summary>
    public sealed record Received(ServerMessage Message, string Raw);
}
