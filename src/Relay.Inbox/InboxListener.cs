using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using NLog;
using Relay.Protocol;
using Relay.Runtime;

namespace Relay.Inbox;

/// <summary>
/// Listens on relay's own inbox socket, where sessions write receipts for our messages (<see cref="ReceiptReceived"/>)
/// and models answer with their native <c>SendMessage</c> (<see cref="MessageReceived"/>). Lines are JSON, at most 1 MiB;
/// a connection that sends no complete line for <see cref="IdleTimeout"/> is closed; garbage is logged and skipped.
/// </summary>
/// <remarks>
/// Claude Code writes a receipt only to a socket served by <b>the same process that wrote the message</b> (it checks the
/// listener's SO_PEERCRED pid and start time; verified live on 2.1.332), in the same directory as its own socket. So the
/// process that sends with an <see cref="InboxOutbox"/> must also run this listener, bound next to the target's socket.
/// Handlers run on the connection's read loop: keep them short; an exception in one is logged, not propagated.
/// </remarks>
public sealed class InboxListener : IAsyncDisposable
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Connections served at once; more are closed on accept.</summary>
    public const int MaxConnections = 64;

    private static readonly Logger Log = RelayLog.For("inbox");

    private readonly Lock _gate = new();
    private readonly HashSet<Task> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private Socket? _socket;
    private Task? _acceptLoop;
    private int _disposed;

    /// <param name="socketPath">Where to bind, e.g. <see cref="InboxAddress.NewIn"/> of the target's socket directory.</param>
    /// <param name="time">Clock for the idle timeout; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="idleTimeout">30 s when null.</param>
    /// <param name="maxLineBytes">1 MiB when null.</param>
    public InboxListener(string socketPath, TimeProvider? time = null, TimeSpan? idleTimeout = null, int? maxLineBytes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = Path.GetFullPath(socketPath);
        _time = time ?? TimeProvider.System;
        IdleTimeout = idleTimeout ?? DefaultIdleTimeout;
        MaxLineBytes = maxLineBytes ?? Limits.MaxLineBytes;
    }

    /// <summary>A <c>peer_message_status</c> line arrived.</summary>
    public event Action<InboxReceipt>? ReceiptReceived;

    /// <summary>A <c>type:"user"</c> line arrived (envelope parsed when there is one).</summary>
    public event Action<InboxIncomingMessage>? MessageReceived;

    /// <summary>A line that is neither (invalid JSON, other control actions, auth lines, …); for diagnostics and tests.</summary>
    public event Action<InboxLineKind>? LineIgnored;

    public string SocketPath { get; }

    /// <summary><c>uds:</c> + <see cref="SocketPath"/>: the <c>from</c> to put in messages and envelopes.</summary>
    public string Address => InboxAddress.ToUri(SocketPath);

    public TimeSpan IdleTimeout { get; }

    public int MaxLineBytes { get; }

    /// <summary>
    /// Binds the socket (mode 0600) and starts accepting. A socket file already at the path that nobody answers on is
    /// a stale one and is replaced; a live one makes this throw <see cref="IOException"/>.
    /// </summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_socket is not null)
        {
            throw new InvalidOperationException("already started");
        }

        RemoveStaleSocket(SocketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
            File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(MaxConnections);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(socket), CancellationToken.None);
        Log.Event(LogLevel.Debug, "inbox_listening", ("socket", SocketPath));
    }

    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }

        throw new IOException("another process listens on " + path);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                Log.Event(LogLevel.Warn, "inbox_accept_failed", ex, ("socket", SocketPath));
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            lock (_gate)
            {
                if (_connections.Count >= MaxConnections)
                {
                    client.Dispose();
                    continue;
                }

                var connection = ServeAsync(client);
                _connections.Add(connection);
                _ = connection.ContinueWith(
                    done =>
                    {
                        lock (_gate)
                        {
                            _connections.Remove(done);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        await Task.Yield();
        using var idle = new CancellationTokenSource(IdleTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, _stop.Token);
        using var stream = new NetworkStream(client, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        try
        {
            await LineReader.ReadLinesAsync(reader, MaxLineBytes, (in ReadOnlySequence<byte> line) =>
            {
                HandleLine(line);
                idle.CancelAfter(IdleTimeout);
            }, linked.Token).ConfigureAwait(false);
        }
        catch (LineTooLongException)
        {
            Log.Event(LogLevel.Warn, "inbox_line_too_long", ("socket", SocketPath), ("limit", MaxLineBytes));
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !_stop.IsCancellationRequested)
        {
            Log.Event(LogLevel.Debug, "inbox_connection_idle", ("socket", SocketPath));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void HandleLine(in ReadOnlySequence<byte> line)
    {
        var kind = line.IsSingleSegment
            ? InboxLineParser.Parse(line.FirstSpan, out var receipt, out var message)
            : InboxLineParser.Parse(line.ToArray(), out receipt, out message);
        try
        {
            switch (kind)
            {
                case InboxLineKind.Receipt:
                    Log.Event(LogLevel.Debug, "inbox_receipt", ("status", receipt!.RawStatus), ("orig_msg_id", receipt.OrigMsgId), ("from", receipt.From));
                    ReceiptReceived?.Invoke(receipt);
                    break;
                case InboxLineKind.Message:
                    Log.Event(LogLevel.Debug, "inbox_message", ("msg_id", message!.MsgId), ("from", message.From));
                    MessageReceived?.Invoke(message);
                    break;
                default:
                    Log.Event(LogLevel.Debug, "inbox_line_ignored", ("kind", kind.ToString()), ("bytes", line.Length));
                    LineIgnored?.Invoke(kind);
                    break;
            }
        }
#pragma warning disable CA1031 // a subscriber's bug must not take the listener down
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.Event(LogLevel.Error, "inbox_handler_failed", ex, ("kind", kind.ToString()));
        }
    }

    /// <summary>Stops accepting, closes every connection and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        var socket = _socket;
        if (socket is not null)
        {
            socket.Dispose();
            try
            {
                File.Delete(SocketPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stop.Dispose();
    }
}
