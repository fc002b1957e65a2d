using System.Buffers;

namespace Relay.Channels;

/// <summary>The channel's stdin and stdout, shaped for the MCP stream transport.</summary>
internal static class StdioStreams
{
    /// <summary>Stdin; <paramref name="onEof"/> runs as soon as a read sees end of file.</summary>
    public static Stream OpenInput(Action onEof) => new CancellableInput(Console.OpenStandardInput(), onEof);

    public static Stream OpenOutput() => new LineOutput(Console.OpenStandardOutput());

    /// <summary>
    /// Console streams ignore cancellation and a blocked read(2) cannot be interrupted; abandoning the read through
    /// <c>WaitAsync</c> lets the transport shut down while stdin is still open. End of file is reported at once: the
    /// SDK's run loop only returns after in-flight tool calls finish, and the session is already over.
    /// </summary>
    private sealed class CancellableInput(Stream inner, Action onEof) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(buffer, cancellationToken);
            if (read.IsCompletedSuccessfully)
            {
                return new ValueTask<int>(Seen(read.Result, buffer.Length));
            }

            return new ValueTask<int>(ReadSlowAsync(read.AsTask(), buffer.Length, cancellationToken));
        }

        private async Task<int> ReadSlowAsync(Task<int> read, int requested, CancellationToken cancellationToken) =>
            Seen(await read.WaitAsync(cancellationToken).ConfigureAwait(false), requested);

        private int Seen(int count, int requested)
        {
            if (count == 0 && requested > 0)
            {
                onEof();
            }

            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Seen(inner.Read(buffer, offset, count), count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// Collects one JSON-RPC message (the transport writes the JSON, then the newline, then flushes) and writes it
    /// with one synchronous write(2) on flush. A pipe write of a few KiB does not block while Claude Code reads, and
    /// writing inline saves the thread-pool hop the console stream's async path would take for every push.
    /// The transport serializes sends, so no locking is needed here.
    /// </summary>
    private sealed class LineOutput(Stream inner) : Stream
    {
        private const int KeepCapacity = 64 * 1024;
        private ArrayBufferWriter<byte> _pending = new(4096);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
            if (_pending.WrittenCount == 0)
            {
                return;
            }

            try
            {
                inner.Write(_pending.WrittenSpan);
            }
            finally
            {
                // Drop a big buffer (a 512 KiB reply) instead of keeping it for the life of the session.
                if (_pending.Capacity > KeepCapacity)
                {
                    _pending = new ArrayBufferWriter<byte>(4096);
                }
                else
                {
                    _pending.ResetWrittenCount();
                }
            }
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flush();
            return Task.CompletedTask;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
