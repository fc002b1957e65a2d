using System.Diagnostics;
using System.Text;

namespace Relay.Bench.Infra;

/// <summary>Receives one stdout line (without its newline) and the timestamp of the read that brought it in.</summary>
internal delegate void LineCallback(ReadOnlySpan<byte> line, long timestamp);

/// <summary>
/// A child process spoken to in newline-delimited lines over its stdin/stdout pipes. A dedicated thread blocks in
/// read(2) on stdout and hands each line to the callback with the time the read returned, so latency figures carry
/// one kernel wake-up and no thread-pool hop. Disposing stops exactly this pid.
/// </summary>
internal sealed class LineProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private readonly Lock _writeGate = new();
    private readonly Thread _reader;
    private readonly Queue<string> _stderrTail = new();
    private LineCallback? _onLine;
    private int _disposed;

    private LineProcess(Process process, string name)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput.BaseStream;
        Name = name;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderrTail)
            {
                _stderrTail.Enqueue(e.Data);
                if (_stderrTail.Count > 20)
                {
                    _stderrTail.Dequeue();
                }
            }
        };
        _process.BeginErrorReadLine();
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "stdout " + name };
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Set when stdout reached EOF.</summary>
    public ManualResetEventSlim Eof { get; } = new(false);

    public string StderrTail
    {
        get
        {
            lock (_stderrTail)
            {
                return string.Join('\n', _stderrTail);
            }
        }
    }

    /// <summary>Starts the process; lines are delivered to <paramref name="onLine"/> from the moment it is up.</summary>
    public static LineProcess Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?> env, string workingDirectory, string name, LineCallback onLine)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + fileName);
        var child = new LineProcess(process, name) { _onLine = onLine };
        child._reader.Start();
        return child;
    }

    /// <summary>Writes one line (the newline is added) with a single write(2).</summary>
    public void WriteLine(ReadOnlySpan<byte> line)
    {
        Span<byte> small = stackalloc byte[1024];
        var buffer = line.Length < small.Length ? small : new byte[line.Length + 1];
        line.CopyTo(buffer);
        buffer[line.Length] = (byte)'\n';
        lock (_writeGate)
        {
            _stdin.Write(buffer[..(line.Length + 1)]);
        }
    }

    public void CloseStdin()
    {
        lock (_writeGate)
        {
            try
            {
                _stdin.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    private void ReadLoop()
    {
        try
        {
            BlockingLines.Run(_stdout.Read, _onLine);
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Eof.Set();
        }
    }

    /// <summary>
    /// Closes stdin and gives the process <paramref name="grace"/> to exit by itself (a channel must exit on stdin
    /// EOF), then SIGTERM and SIGKILL to exactly this pid. True when it exited by itself.
    /// </summary>
    public bool Stop(TimeSpan grace)
    {
        CloseStdin();
        if (_process.WaitForExit(grace))
        {
            return true;
        }

        Terminate(TimeSpan.FromSeconds(1));
        return false;
    }

    /// <summary>SIGTERM (the process may clean up, e.g. remove its socket), then SIGKILL after <paramref name="grace"/>.</summary>
    public void Terminate(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        Posix.Signal(_process.Id, Posix.SIGTERM);
        if (!_process.WaitForExit(grace))
        {
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
            }

            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Stop(TimeSpan.FromSeconds(1));
        _reader.Join(TimeSpan.FromSeconds(2));
        _process.Dispose();
        Eof.Dispose();
    }
}
