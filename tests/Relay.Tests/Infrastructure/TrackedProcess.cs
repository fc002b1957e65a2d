using System.Diagnostics;
using System.Text;

namespace Relay.Tests.Infrastructure;

/// <summary>
/// A child process a test started: its output is captured, and disposing it kills exactly this pid (never by name)
/// and waits for it to go.
/// </summary>
public sealed class TrackedProcess : IAsyncDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private TrackedProcess(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

    public int Pid => Process.Id;

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Raised for each stdout line as it arrives.</summary>
    public event Action<string>? StdoutLine;

    /// <summary>How tests start a process: no shell, UTF-8 output captured, <paramref name="env"/> applied (null removes).</summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null, string? workingDirectory = null, bool redirectStdin = true)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string?>())
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

        return info;
    }

    public static TrackedProcess Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null, string? workingDirectory = null, bool redirectStdin = true)
    {
        var info = StartInfo(fileName, args, env, workingDirectory, redirectStdin);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var tracked = new TrackedProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (tracked._gate)
            {
                tracked._stdout.AppendLine(e.Data);
            }

            tracked.StdoutLine?.Invoke(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (tracked._gate)
            {
                tracked._stderr.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tracked;
    }

    /// <summary>Starts the relay binary under test.</summary>
    public static TrackedProcess StartRelay(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null, string? workingDirectory = null, bool redirectStdin = true) =>
        Start(RelayBinary.Path, args, env, workingDirectory, redirectStdin);

    public bool HasExited => Process.HasExited;

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TaskTimeoutExtensions.Default);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {Pid} ({Process.StartInfo.FileName} {string.Join(' ', Process.StartInfo.ArgumentList)}) did not exit; stderr: {Stderr}");
        }

        return Process.ExitCode;
    }

    public void Signal(int signal) => Posix.Kill(Pid, signal);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Posix.Kill(Pid, Posix.SIGKILL);
                await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }

        Process.Dispose();
    }
}
