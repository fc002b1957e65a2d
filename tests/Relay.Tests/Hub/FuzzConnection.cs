using System.Collections.Concurrent;
using System.Net.Sockets;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;

namespace Relay.Tests.Hub;

/// <summary>
/// One fuzzing connection to the hub. Lines go out pipelined (at most <see cref="Window"/> unanswered), split into
/// random chunks or coalesced; a reader matches every answer the hub sends, in order, to the line it answers: a
/// tagged line's answer must carry its req_id, an untagged line's answer must carry none. Lines the hub sends on its
/// own (incoming asks and replies, ask-ending errs, events) are counted and skipped. Every mismatch, unparseable
/// line or <c>unexpected</c> err is a failure.
/// </summary>
internal sealed class FuzzConnection : IAsyncDisposable
{
    public const int Window = 32;

    private readonly Socket _socket;
    private readonly ConcurrentQueue<FuzzLine> _expected = new();
    private readonly SemaphoreSlim _window = new(Window, Window);
    private readonly Action<string> _fail;
    private readonly ConcurrentDictionary<string, int> _answers;
    private readonly Task _reader;
    private int _outstanding;
    private string? _lastLine;

    private FuzzConnection(Socket socket, Action<string> fail, ConcurrentDictionary<string, int> answers)
    {
        _socket = socket;
        _fail = fail;
        _answers = answers;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Lines the hub sent on its own (not answers).</summary>
    public int Pushes { get; private set; }

    /// <summary>Completes when the hub closes the connection (or it breaks).</summary>
    public Task Closed => _reader;

    public static async Task<FuzzConnection> ConnectAsync(string socketPath, Action<string> fail, ConcurrentDictionary<string, int> answers)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).WaitAsync(TimeSpan.FromSeconds(10));
        return new FuzzConnection(socket, fail, answers);
    }

    /// <summary>Queues <paramref name="line"/> as expecting one answer, then sends it (with its newline) in random chunks.</summary>
    public async Task SendAsync(FuzzLine line, Random random)
    {
        if (!await _window.WaitAsync(TimeSpan.FromSeconds(20)))
        {
            throw new TimeoutException($"the hub left {Window} lines unanswered for 20 s (connection closed: {_reader.IsCompleted}); {FirstWaiting()}");
        }

        Interlocked.Increment(ref _outstanding);
        _expected.Enqueue(line);
        var bytes = new byte[line.Bytes.Length + 1];
        line.Bytes.CopyTo(bytes, 0);
        bytes[^1] = (byte)'\n';
        try
        {
            await SendChunkedAsync(bytes, random);
        }
        catch (SocketException ex) when (line.What != "over-long line")
        {
            throw new IOException($"the hub closed the connection ({ex.SocketErrorCode}) while a {line.What} line of {line.Bytes.Length} bytes was sent; {FirstWaiting()}; last hub line: {_lastLine}", ex);
        }
    }

    /// <summary>Sends bytes that make no line (no newline), e.g. a line cut off before the connection closes.</summary>
    public Task SendFragmentAsync(byte[] bytes, Random random) => SendChunkedAsync(bytes, random);

    /// <summary>Waits until every line sent has had its answer.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _outstanding) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Volatile.Read(ref _outstanding)} line(s) unanswered after {timeout.TotalSeconds:0} s; {FirstWaiting()}");
            }

            if (_reader.IsCompleted)
            {
                throw new IOException($"the hub closed the connection with {Volatile.Read(ref _outstanding)} line(s) unanswered; {FirstWaiting()}");
            }

            await Task.Delay(2);
        }
    }

    /// <summary>Half-closes: the hub sees end of input (and drops any cut-off line), and should then close its side.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public int Outstanding => Volatile.Read(ref _outstanding);

    private async Task SendChunkedAsync(byte[] bytes, Random random)
    {
        var at = 0;
        while (at < bytes.Length)
        {
            // Mostly whole, sometimes split at random points (so lines arrive in pieces across reads).
            var size = random.Next(4) == 0 ? 1 + random.Next(Math.Max(1, Math.Min(bytes.Length - at, 64))) : bytes.Length - at;
            var sent = await _socket.SendAsync(bytes.AsMemory(at, size), SocketFlags.None);
            at += sent;
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await SocketLines.ReadAsync(_socket, OnLine);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
        }
    }

    private void OnLine(byte[] raw)
    {
        _lastLine = System.Text.Encoding.UTF8.GetString(raw, 0, Math.Min(raw.Length, 300));
        ServerMessage message;
        try
        {
            message = RelayJson.ParseServer(raw);
        }
        catch (RelayJsonException ex)
        {
            _fail($"the hub sent a line its own protocol cannot parse ({ex.Message}): {System.Text.Encoding.UTF8.GetString(raw)}");
            return;
        }

        if (message is IncomingAskMessage or IncomingReplyMessage or HubEventMessage or AskStatusMessage { ReqId: null }
            || message is ErrMessage { ReqId: null, Code: ErrorCodes.Timeout or ErrorCodes.PeerGone or ErrorCodes.HoldFull })
        {
            Pushes++;
            return;
        }

        var key = message is ErrMessage err ? "err " + err.Code : message.GetType().Name.Replace("Message", string.Empty, StringComparison.Ordinal);
        _answers.AddOrUpdate(key, 1, static (_, n) => n + 1);
        if (message is ErrMessage { Code: ErrorCodes.Unexpected })
        {
            _fail("the hub hit an internal error (unexpected): " + System.Text.Encoding.UTF8.GetString(raw));
        }

        if (!_expected.TryDequeue(out var line))
        {
            _fail("an answer nothing asked for (a duplicate?): " + System.Text.Encoding.UTF8.GetString(raw));
            return;
        }

        Interlocked.Decrement(ref _outstanding);
        _window.Release();
        if (message.ReqId != line.Tag)
        {
            _fail($"the answer to a {line.What} line carries req_id {message.ReqId ?? "(none)"}, expected {line.Tag ?? "(none)"}: {System.Text.Encoding.UTF8.GetString(raw)}; the line began: {Preview(line.Bytes)}");
        }
    }

    private string FirstWaiting() =>
        _expected.TryPeek(out var waiting)
            ? $"first unanswered: {waiting.What} ({waiting.Bytes.Length} bytes, tag {waiting.Tag ?? "none"}): {Preview(waiting.Bytes)}"
            : "none waiting";

    private static string Preview(byte[] bytes) => Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, 96));

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _window.Dispose();
    }
}
