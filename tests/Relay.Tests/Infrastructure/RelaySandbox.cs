using System.Net.Sockets;

namespace Relay.Tests.Infrastructure;

/// <summary>
/// One test's private relay world: a short temp root with a data dir and a scratch HOME, the environment every relay
/// process of the test gets, and the processes it started. Disposing stops exactly those processes (and a hub a
/// channel spawned in this data dir, found by asking the hub for its pid), then deletes the directory.
/// </summary>
public sealed class RelaySandbox : IAsyncDisposable
{
    private readonly List<TrackedProcess> _processes = [];
    private readonly Lock _gate = new();

    public RelaySandbox(TimeSpan? hubIdleExit = null)
    {
        // Unix socket paths are limited to 108 bytes: keep the root short.
        Root = Directory.CreateTempSubdirectory("rly-").FullName;
        DataDir = System.IO.Path.Combine(Root, "data");
        Home = System.IO.Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        Env = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["CLAUDE_PLUGIN_DATA"] = DataDir,
            ["RELAY_HUB_SOCKET"] = null,
            ["RELAY_HUB_IDLE_EXIT_MS"] = ((long)(hubIdleExit ?? TimeSpan.FromSeconds(60)).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RELAY_LOG_LEVEL"] = "debug",
            ["CLAUDE_RELAY_PRESET_NAME"] = null,
            ["CLAUDE_PROJECT_DIR"] = null,
            ["CLAUDE_CODE_SESSION_ID"] = null,
            ["CLAUDE_CODE_MESSAGING_SOCKET"] = null,
            ["CLAUDE_CODE_MESSAGING_TOKEN"] = null,
            ["CLAUDE_CONFIG_DIR"] = null,
            ["RELAY_DELIVERY"] = null,
        };
    }

    public string Root { get; }

    public string DataDir { get; }

    public string Home { get; }

    public string SocketPath => System.IO.Path.Combine(DataDir, "hub.sock");

    /// <summary>Environment for every relay process of this test; tests may add to it before starting processes.</summary>
    public Dictionary<string, string?> Env { get; }

    /// <summary>Creates (once) and returns a working directory for a peer, named as the peer's default name will be.</summary>
    public string WorkDir(string name)
    {
        var dir = System.IO.Path.Combine(Root, "work", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Where relay processes of this sandbox write their log files.</summary>
    public string LogsDir => System.IO.Path.Combine(DataDir, "logs");

    /// <summary>All log files of this sandbox's data dir, concatenated (empty when there are none yet).</summary>
    public async Task<string> ReadLogsAsync()
    {
        var text = "";
        foreach (var file in Directory.Exists(LogsDir) ? Directory.GetFiles(LogsDir, "*.log") : [])
        {
            text += await File.ReadAllTextAsync(file);
        }

        return text;
    }

    /// <summary>Waits until the logs hold <paramref name="text"/> and returns them.</summary>
    public Task<string> WaitForLogAsync(string text, TimeSpan? timeout = null) =>
        Poll.ForAsync(ReadLogsAsync, logs => logs.Contains(text, StringComparison.Ordinal), timeout ?? Poll.DefaultTimeout, "the log line " + text);

    /// <summary>This sandbox's environment with <paramref name="layers"/> laid over it in order (a null value removes a variable).</summary>
    public Dictionary<string, string?> EnvWith(params IReadOnlyDictionary<string, string?>?[] layers)
    {
        var env = new Dictionary<string, string?>(Env);
        foreach (var (key, value) in layers.SelectMany(layer => layer ?? new Dictionary<string, string?>()))
        {
            env[key] = value;
        }

        return env;
    }

    /// <summary>Starts a relay process with this sandbox's environment; it is stopped when the sandbox is disposed.</summary>
    public TrackedProcess StartRelay(IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? extraEnv = null, bool redirectStdin = true)
    {
        var env = EnvWith(extraEnv);
        var process = TrackedProcess.StartRelay(args, env, workingDirectory ?? Root, redirectStdin);
        Track(process);
        return process;
    }

    public void Track(TrackedProcess process)
    {
        lock (_gate)
        {
            _processes.Add(process);
        }
    }

    /// <summary>Starts <c>relay hub</c> in the foreground (not detached) and waits until its socket answers.</summary>
    public async Task<TrackedProcess> StartHubAsync(params string[] extraArgs)
    {
        var hub = StartRelay(["hub", .. extraArgs]);
        await WaitForSocketAsync(hub);
        return hub;
    }

    /// <summary>Waits until something accepts connections on the hub socket.</summary>
    public async Task WaitForSocketAsync(TrackedProcess? owner = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await CanConnectAsync())
            {
                return;
            }

            if (owner is { HasExited: true })
            {
                throw new InvalidOperationException($"the hub exited early with {owner.Process.ExitCode}; stderr: {owner.Stderr}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the hub socket never answered at " + SocketPath);
            }

            await Task.Delay(10);
        }
    }

    public async Task<bool> CanConnectAsync()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The pid of the hub serving this sandbox's socket, or null when none answers.</summary>
    public async Task<int?> HubPidAsync() => (await HubStatusProbe.QueryAsync(SocketPath))?.Pid;

    public async ValueTask DisposeAsync()
    {
        List<TrackedProcess> processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        // SIGKILL everything at once, newest first, before waiting on any: a peer that outlived its hub by even a
        // moment would reconnect and spawn a new hub into the directory being deleted.
        for (var i = processes.Count - 1; i >= 0; i--)
        {
            if (!processes[i].HasExited)
            {
                processes[i].Signal(Posix.SIGKILL);
            }
        }

        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        // Hubs spawned by this test's channels and CLI peers are not our children, and one may still be starting
        // (not yet answering on the socket). Every spawned hub names its data dir on its command line
        // (`relay hub --detach --data-dir <dir>`), so this sandbox's unique root finds exactly those.
        for (var round = 0; round < 5; round++)
        {
            var strays = ProcFs.LiveProcessesWhere(args => args.Any(arg => arg.StartsWith(Root + "/", StringComparison.Ordinal)));
            if (strays.Count == 0)
            {
                break;
            }

            foreach (var pid in strays)
            {
                Posix.Kill(pid, Posix.SIGKILL);
            }

            foreach (var pid in strays)
            {
                await Posix.WaitForExitAsync(pid, TimeSpan.FromSeconds(5));
            }
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
