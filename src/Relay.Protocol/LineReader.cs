using System.Buffers;
using System.IO.Pipelines;

namespace Relay.Protocol;

/// <summary>Receives one line (without its newline). The sequence is only valid during the call.</summary>
public delegate void LineHandler(in ReadOnlySequence<byte> line);

/// <summary>Splits a <see cref="PipeReader"/> into newline-delimited lines with a length cap.</summary>
public static class LineReader
{
    /// <summary>
    /// Calls <paramref name="onLine"/> for every complete non-empty line until the reader completes; a trailing CR is
    /// dropped, and an unterminated last line (the peer closed mid-line) is ignored.
    /// Throws <see cref="LineTooLongException"/> when a line exceeds <paramref name="maxLineBytes"/>.
    /// </summary>
    public static async Task ReadLinesAsync(PipeReader reader, int maxLineBytes, LineHandler onLine, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(onLine);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                while (TrySplit(ref buffer, out var line))
                {
                    if (line.Length > maxLineBytes)
                    {
                        throw new LineTooLongException(maxLineBytes);
                    }

                    Deliver(line, onLine);
                }

                if (buffer.Length > maxLineBytes)
                {
                    throw new LineTooLongException(maxLineBytes);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    // Bytes after the last newline are a line cut off by the peer closing: never parse half a message.
                    return;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private static bool TrySplit(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private static void Deliver(ReadOnlySequence<byte> line, LineHandler onLine)
    {
        if (!line.IsEmpty)
        {
            var last = line.Slice(line.Length - 1).FirstSpan[0];
            if (last == (byte)'\r')
            {
                line = line.Slice(0, line.Length - 1);
            }
        }

        if (line.IsEmpty)
        {
            return;
        }

        onLine(line);
    }
}

/// <summary>An inbound line longer than the protocol allows.</summary>
public sealed class LineTooLongException : Exception
{
    public LineTooLongException()
        : this(Limits.MaxLineBytes)
    {
    }

    public LineTooLongException(int limit)
        : base($"line longer than {limit} bytes")
    {
        Limit = limit;
    }

    public LineTooLongException(string message)
        : base(message)
    {
    }

    public LineTooLongException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Limit { get; }
}
