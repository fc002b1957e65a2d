using System.Diagnostics;

namespace Relay.Bench.Infra;

/// <summary>Fills <paramref name="buffer"/> like a blocking read(2); 0 or less means end of stream.</summary>
internal delegate int BlockingRead(Span<byte> buffer);

/// <summary>The bench's newline splitter for a reader thread blocked in a read call (stdio pipe or socket).</summary>
internal static class BlockingLines
{
    /// <summary>
    /// Reads until end of stream, calling <paramref name="onLine"/> for every complete non-empty line with the
    /// timestamp taken right after the read that completed it. Exceptions of <paramref name="read"/> propagate.
    /// </summary>
    public static void Run(BlockingRead read, LineCallback? onLine)
    {
        var buffer = new byte[256 * 1024];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var n = read(buffer.AsSpan(filled));
            var timestamp = Stopwatch.GetTimestamp();
            if (n <= 0)
            {
                return;
            }

            var start = 0;
            var scanFrom = filled;
            filled += n;
            while (true)
            {
                var newline = buffer.AsSpan(scanFrom, filled - scanFrom).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                var end = scanFrom + newline;
                if (end > start)
                {
                    onLine?.Invoke(buffer.AsSpan(start, end - start), timestamp);
                }

                start = end + 1;
                scanFrom = start;
            }

            if (start > 0)
            {
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
    }
}
