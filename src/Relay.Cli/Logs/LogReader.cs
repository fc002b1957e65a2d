using System.Text;

namespace Relay.Cli.Logs;

/// <summary>
/// Reads the log folder from where it left off: each file from its last offset, then any newer file (day rollover),
/// handing out complete lines only. A half-written last line waits for its newline.
/// </summary>
internal sealed class LogReader(string logDir, DateTimeOffset? since)
{
    private readonly StringBuilder _partial = new();
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private string? _current;
    private long _offset;

    /// <summary>Reads everything new since the last call and passes each complete line to <paramref name="onLine"/>.</summary>
    public void ReadNew(Action<string> onLine)
    {
        var files = LogFiles.List(logDir, since);
        if (files.Count == 0)
        {
            return;
        }

        var start = _current is null ? 0 : IndexOf(files, _current);
        if (start < 0)
        {
            // The file we were reading is gone (deleted after 7 days): continue with whatever is newer.
            start = files.TakeWhile(f => string.CompareOrdinal(f, _current) < 0).Count();
            Switch(null);
        }

        for (var i = start; i < files.Count; i++)
        {
            if (files[i] != _current)
            {
                Switch(files[i]);
            }

            ReadFile(onLine);
        }
    }

    private static int IndexOf(IReadOnlyList<string> files, string file)
    {
        for (var i = 0; i < files.Count; i++)
        {
            if (files[i] == file)
            {
                return i;
            }
        }

        return -1;
    }

    private void Switch(string? file)
    {
        _current = file;
        _offset = 0;
        _partial.Clear();
        _decoder.Reset();
    }

    private void ReadFile(Action<string> onLine)
    {
        if (_current is null)
        {
            return;
        }

        try
        {
            using var stream = new FileStream(_current, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < _offset)
            {
                // Truncated or replaced under the same name: start over.
                _offset = 0;
                _partial.Clear();
                _decoder.Reset();
            }

            stream.Seek(_offset, SeekOrigin.Begin);
            var buffer = new byte[64 * 1024];
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                // The decoder keeps a character cut at the end of a read for the next one; _partial keeps a cut line.
                var count = _decoder.GetChars(buffer, 0, read, chars, 0, flush: false);
                _offset += read;
                Emit(chars.AsSpan(0, count), onLine);
            }
        }
        catch (FileNotFoundException)
        {
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Emit(ReadOnlySpan<char> text, Action<string> onLine)
    {
        while (text.Length > 0)
        {
            var newline = text.IndexOf('\n');
            if (newline < 0)
            {
                _partial.Append(text);
                return;
            }

            _partial.Append(text[..newline]);
            var line = _partial.ToString().TrimEnd('\r');
            _partial.Clear();
            onLine(line);
            text = text[(newline + 1)..];
        }
    }
}
