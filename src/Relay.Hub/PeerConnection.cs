using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Relay.Protocol;

namespace Relay.Hub;

/// <summary>
/// One client connection: a receive loop that hands each line to the <see cref="Router"/>, and an
/// <see cref="Outbox"/> with its own send loop. Before <c>register</c> or <c>watch</c> it is anonymous; after, it is
/// a peer (named, in the registry) or an observer. The router's lock guards every mutable field here.
/// </summary>
internal sealed class PeerConnection
{
    private static long s_nextId;

    private readonly Socket _socket;
    private readonly Router _router;
    private readonly LineHandler _onLine;
    private int _aborted;

    public PeerConnection(Socket socket, Router router, HubOptions options)
    {
        _socket = socket;
        _router = router;
        _onLine = OnLine;
        Outbox = new Outbox(options.OutboxMaxBytes, options.OutboxMaxLines);
        Id = Interlocked.Increment(ref s_nextId);
        ConnectedAt = DateTimeOffset.UtcNow;
        LastSeen = ConnectedAt;
    }

    /// <summary>Connection number for logs (names change; this does not).</summary>
    public long Id { get; }

    public Outbox Outbox { get; }

    /// <summary>The registered name, or null before register (and for observers).</summary>
    public string? Name { get; set; }

    public bool IsObserver { get; set; }

    /// <summary>True once the router has taken this connection out of the registry (it left or was dropped).</summary>
    public bool Departed { get; set; }

    public string? Cwd { get; set; }

    public string? GitBranch { get; set; }

    public int? Pid { get; set; }

    public string? Kind { get; set; }

    public DateTimeOffset ConnectedAt { get; }

    public DateTimeOffset LastSeen { get; set; }

    /// <summary>Asks this peer has been sent and not yet answered, by ask id.</summary>
    public Dictionary<string, PendingAsk> AsksTo { get; } = new(StringComparer.Ordinal);

    /// <summary>Asks this peer sent that are still waiting for their reply.</summary>
    public HashSet<PendingAsk> AsksFrom { get; } = [];

    /// <summary>Runs both loops until the connection ends, then tells the router it is gone.</summary>
    public async Task RunAsync()
    {
        var sendLoop = Outbox.RunAsync(_socket);
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

    private void OnLine(in ReadOnlySequence<byte> line) => _router.HandleLine(this, line);

    public override string ToString() => Name ?? (IsObserver ? "observer#" : "conn#") + Id;
}
