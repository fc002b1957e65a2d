using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Hub;

/// <summary>
/// A client on the hub socket (a channel, the CLI, an observer): a receive loop that hands each line to the
/// <see cref="Router"/>, and an <see cref="Outbox"/> with its own send loop. The router's lock guards every mutable
/// field here.
/// </summary>
internal sealed class SocketPeer : IPeer
{
    private static long s_nextId;

    private readonly Socket _socket;
    private readonly Router _router;
    private readonly LineHandler _onLine;
    private readonly Outbox _outbox;
    private int _aborted;

    public SocketPeer(Socket socket, Router router, HubOptions options)
    {
        _socket = socket;
        _router = router;
        _onLine = OnLine;
        _outbox = new Outbox(options.OutboxMaxBytes, options.OutboxMaxLines);
        Id = Interlocked.Increment(ref s_nextId);
        ConnectedAt = DateTimeOffset.UtcNow;
        LastSeen = ConnectedAt;
    }

    public long Id { get; }

    public string? Name { get; set; }

    public bool IsObserver { get; set; }

    public bool Departed { get; set; }

    public string? Cwd { get; set; }

    public string? GitBranch { get; set; }

    public int? Pid { get; set; }

    public string? Kind { get; set; }

    /// <summary>How messages reach this peer (<c>register.delivery</c>; <c>socket</c> when not given).</summary>
    public string Delivery { get; set; } = Relay.Protocol.Messages.DeliveryPaths.Socket;

    /// <summary>The Claude Code session a channel serves (its pid and session id), when it said so.</summary>
    public int? ClaudePid { get; set; }

    public string? SessionId { get; set; }

    public DateTimeOffset ConnectedAt { get; }

    public DateTimeOffset LastSeen { get; set; }

    public Dictionary<string, PendingAsk> AsksTo { get; } = new(StringComparer.Ordinal);

    public HashSet<PendingAsk> AsksFrom { get; } = [];

    public long QueuedBytes => _outbox.QueuedBytes;

    public SendResult Send(ServerMessage message) => Result(_outbox.TryWrite(message));

    public SendResult Send(ReadOnlySpan<byte> line) => Result(_outbox.TryWrite(line));

    public void Complete() => _outbox.Complete();

    /// <summary>Runs both loops until the connection ends, then tells the router it is gone.</summary>
    public async Task RunAsync()
    {
        var sendLoop = _outbox.RunAsync(_socket);
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        // Zero-byte reads: an idle peer waits for data without holding a rented buffer.
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 8 * 1024, minimumReadSize: 2 * 1024, leaveOpen: true, useZeroByteReads: true));
        try
        {
            await LineReader.ReadLinesAsync(reader, Limits.MaxLineBytes, _onLine).ConfigureAwait(false);
        }
        catch (LineTooLongException)
        {
            // Say why before closing; the line's remainder is never read.
            _router.OnLineTooLong(this);
            await Task.WhenAny(sendLoop, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            _router.OnDisconnected(this);
            Abort();
            await sendLoop.ConfigureAwait(false);
        }
    }

    /// <summary>Cuts the connection: both loops end, and the router is told through <see cref="RunAsync"/>.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private SendResult Result(bool queued) =>
        queued ? SendResult.Queued : _outbox.IsClosed ? SendResult.Closed : SendResult.Overflowed;

    private void OnLine(in ReadOnlySequence<byte> line) => _router.HandleLine(this, line);

    public override string ToString() => Name ?? (IsObserver ? "observer#" : "conn#") + Id;
}
