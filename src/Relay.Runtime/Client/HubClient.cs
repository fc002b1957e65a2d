using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Runtime.Client;

/// <summary>
/// One connection to the hub: requests correlated by <c>req_id</c>, everything else (incoming asks and replies,
/// ask errors, observer events) handed to <see cref="Pushed"/> in arrival order on the receive loop. Every request is
/// bounded by <see cref="RequestTimeout"/> (or a per-call timeout), and why the connection closed is kept in
/// <see cref="CloseReason"/>.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    /// <summary>How long a request waits for its answer unless the client or the call says otherwise.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ServerMessage>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(4096);
    private readonly Utf8JsonWriter _jsonWriter;
    private Task _receiveLoop = Task.CompletedTask;
    private long _nextReqId;
    private int _disposed;
    private Exception? _closeReason;

    private HubClient(Socket socket, string socketPath)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _jsonWriter = new Utf8JsonWriter(_sendBuffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Called on the receive loop for every hub line that is not the answer to a pending request.</summary>
    public Action<ServerMessage>? Pushed { get; set; }

    /// <summary>Completes (never faults) when the connection is gone, for whatever reason.</summary>
    public Task Completion => _receiveLoop;

    /// <summary>Cancelled when the connection is gone.</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsConnected => !_closed.IsCancellationRequested;

    /// <summary>How long <see cref="RequestAsync(ClientMessage, CancellationToken)"/> waits for an answer.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>
    /// Why the connection closed, null while it is open: a <see cref="HubUnreachableException"/> when the hub closed
    /// it or this client did (<see cref="DisposeAsync"/>), else the error that ended it (an I/O error, an over-long line).
    /// </summary>
    public Exception? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Connects to the hub socket. Throws <see cref="HubUnreachableException"/> when nothing listens there.</summary>
    public static async Task<HubClient> ConnectAsync(string socketPath, Action<ServerMessage>? pushed = null, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new HubUnreachableException($"no hub at {socketPath} ({ex.SocketErrorCode})", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new HubClient(socket, socketPath) { Pushed = pushed };
        client._receiveLoop = client.ReceiveLoopAsync();
        return client;
    }

    /// <summary>
    /// Sends a request and waits at most <see cref="RequestTimeout"/> for its answer (ack, err, peers, broadcast_ack,
    /// hub_status_reply). An err answer is returned, not thrown. Throws <see cref="HubUnreachableException"/> when the
    /// connection is or goes down, or the hub does not answer in time (then with a <see cref="TimeoutException"/> inside).
    /// </summary>
    public Task<ServerMessage> RequestAsync(ClientMessage message, CancellationToken cancellationToken = default) =>
        RequestAsync(message, RequestTimeout, cancellationToken);

    /// <summary>As <see cref="RequestAsync(ClientMessage, CancellationToken)"/>, waiting at most <paramref name="timeout"/>.</summary>
    public async Task<ServerMessage> RequestAsync(ClientMessage message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            return await SendAndWaitAsync(message, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new HubUnreachableException($"the hub did not answer within {timeout.TotalSeconds:0.##} s", ex);
        }
    }

    private async Task<ServerMessage> SendAndWaitAsync(ClientMessage message, CancellationToken cancellationToken)
    {
        var reqId = "r" + Interlocked.Increment(ref _nextReqId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        message.ReqId = reqId;
        var answer = new TaskCompletionSource<ServerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[reqId] = answer;
        try
        {
            if (_closed.IsCancellationRequested)
            {
                throw new HubUnreachableException("the hub connection is closed", CloseReason);
            }

            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(reqId, out _);
        }
    }

    /// <summary>Sends one message without waiting for an answer.</summary>
    public async ValueTask SendAsync(ClientMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The connection may have closed (and this client been disposed) while this send waited for its turn.
            if (_closed.IsCancellationRequested)
            {
                throw new HubUnreachableException("the hub connection is closed", CloseReason);
            }

            _sendBuffer.ResetWrittenCount();
            _jsonWriter.Reset(_sendBuffer);
            JsonSerializer.Serialize(_jsonWriter, message, RelayJson.Context.ClientMessage);
            _jsonWriter.Flush();
            _sendBuffer.Write("\n"u8);
            if (_sendBuffer.WrittenCount > Limits.MaxLineBytes)
            {
                throw new MessageTooLargeException(_sendBuffer.WrittenCount);
            }

            await _socket.SendAsync(_sendBuffer.WrittenMemory, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            Abort(ex);
            throw new HubUnreachableException("lost the hub connection while sending", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        await Task.Yield();
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096));
        Exception? reason = null;
        try
        {
            await LineReader.ReadLinesAsync(reader, Limits.MaxLineBytes, OnLine, _closed.Token).ConfigureAwait(false);
            reason = new HubUnreachableException("the hub closed the connection");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or LineTooLongException)
        {
            // Kept, not swallowed: a close from this side has already recorded its own reason, which wins.
            reason = ex;
        }
        catch (Exception ex)
        {
            // A bug (a throwing Pushed handler, say) still closes the connection, with itself as the reason.
            reason = ex;
            throw;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            Abort(reason ?? new HubUnreachableException("the hub connection ended"));
        }
    }

    private void OnLine(in ReadOnlySequence<byte> line)
    {
        ServerMessage message;
        try
        {
            message = RelayJson.ParseServer(line);
        }
        catch (RelayJsonException)
        {
            // A newer hub may send kinds this client does not know; skip them.
            return;
        }

        if (message.ReqId is { } reqId && _pending.TryRemove(reqId, out var waiter))
        {
            waiter.TrySetResult(message);
            return;
        }

        Pushed?.Invoke(message);
    }

    /// <summary>Closes the connection once; the first <paramref name="reason"/> is the one kept.</summary>
    private void Abort(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        foreach (var pair in _pending)
        {
            pair.Value.TrySetException(new HubUnreachableException("the hub connection closed before it answered", reason));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Abort(new HubUnreachableException("this client closed the connection"));
        await _receiveLoop.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);

        // Not while a send is using the writer; sends that come later find the connection closed. The send lock itself
        // is never disposed: a send racing this dispose must still be able to take and release it.
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _jsonWriter.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }

        _closed.Dispose();
    }
}
