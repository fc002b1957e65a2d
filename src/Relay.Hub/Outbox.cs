using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Hub;

/// <summary>
/// One connection's bounded queue of outgoing lines and the single loop that writes them to the socket.
/// Messages are serialized once, straight into the queue's buffers; the send loop hands those buffers to the socket.
/// Writers must be serialized by the caller (the router writes only under its lock); the send loop runs on its own.
/// </summary>
internal sealed class Outbox
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>One reusable JSON writer per thread: writes to different outboxes never share one at the same time.</summary>
    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    private readonly Pipe _pipe;
    private readonly long _maxBytes;
    private readonly long _maxLines;
    private long _queuedBytes;
    private long _queuedLines;
    private bool _closed;

    public Outbox(long maxBytes, int maxLines)
    {
        _maxBytes = maxBytes;
        _maxLines = maxLines;
        _pipe = new Pipe(new PipeOptions(
            // The send loop continues on the writer's thread: one hop less per routed message. It never blocks:
            // a socket that is full parks the loop on an async send, and writers keep queueing up to the bound.
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            // The bound is enforced by the router (it drops the connection), never by blocking a writer.
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: 16 * 1024,
            useSynchronizationContext: false));
    }

    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>True once nothing more will be sent (completed, or the send loop stopped).</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Serializes <paramref name="message"/> as one line into the queue. Returns false when the queue is closed or
    /// this line took it over its bound (the caller then drops the connection).
    /// </summary>
    public bool TryWrite(ServerMessage message)
    {
        if (_closed)
        {
            return false;
        }

        var writer = _pipe.Writer;
        var json = t_json ??= new Utf8JsonWriter(Stream.Null, s_writerOptions);
        json.Reset(writer);
        JsonSerializer.Serialize(json, message, RelayJson.Context.ServerMessage);
        json.Flush();
        var length = json.BytesCommitted + 1;
        writer.GetSpan(1)[0] = (byte)'\n';
        writer.Advance(1);
        return Commit(length);
    }

    /// <summary>Queues an already serialized line (with its newline), e.g. one observer event shared by many.</summary>
    public bool TryWrite(ReadOnlySpan<byte> line)
    {
        if (_closed)
        {
            return false;
        }

        _pipe.Writer.Write(line);
        return Commit(line.Length);
    }

    private bool Commit(long length)
    {
        var bytes = Interlocked.Add(ref _queuedBytes, length);
        var lines = Interlocked.Increment(ref _queuedLines);
        var flush = _pipe.Writer.FlushAsync();
        if (!flush.IsCompleted)
        {
            // Cannot happen without a pause threshold; observe the result anyway so nothing is left dangling.
            flush.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        else if (flush.Result.IsCompleted)
        {
            // The send loop has stopped: nobody will ever read this.
            _closed = true;
            return false;
        }

        return bytes <= _maxBytes && lines <= _maxLines;
    }

    /// <summary>No more lines: the send loop ends once it has written what is queued.</summary>
    public void Complete()
    {
        if (!_closed)
        {
            _closed = true;
            _pipe.Writer.Complete();
        }
    }

    /// <summary>Writes queued lines to <paramref name="socket"/> until <see cref="Complete"/> or a send fails.</summary>
    public async Task RunAsync(Socket socket)
    {
        var reader = _pipe.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var lines = 0L;
                foreach (var segment in buffer)
                {
                    lines += segment.Span.Count((byte)'\n');
                    var remaining = segment;
                    while (!remaining.IsEmpty)
                    {
                        var sent = await socket.SendAsync(remaining, SocketFlags.None).ConfigureAwait(false);
                        remaining = remaining[sent..];
                    }
                }

                reader.AdvanceTo(buffer.End);
                Interlocked.Add(ref _queuedBytes, -buffer.Length);
                Interlocked.Add(ref _queuedLines, -lines);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The peer went away; the receive loop notices too and cleans up.
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }
}
