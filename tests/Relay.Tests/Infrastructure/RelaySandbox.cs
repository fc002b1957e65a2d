using System.Net.Sockets;
using Relay.Protocol.Client;
using Relay.Protocol.Messages;

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

    /// <summary>Starts a relay process with this sandbox's environment; it is stopped when the sandbox is disposed.</summary>
    public TrackedProcess StartRelay(IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? extraEnv = null, bool redirectStdin = true)
    {
        var env = new Dictionary<string, string?>(Env);
        if (extraEnv is not null)
        {
            foreach (var (key, value) in extraEnv)
            {
                env[key] = value;
            }
        }

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
    public async Task<int?> HubPidAsync()
    {
        try
        {
            await using var client = await HubClient.ConnectAsync(SocketPath);
            var answer = await client.RequestAsync(new HubStatusMessage()).WaitAsync(TimeSpan.FromSeconds(5));
            return (answer as HubStatusReplyMessage)?.Pid;
        }
        catch (Exception ex) when (ex is HubUnreachableException or TimeoutException or IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<TrackedProcess> processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        // A hub spawned by a channel of this test is not our child: find it through its socket before stopping anything.
        var spawnedHub = await HubPidAsync();
        // Read the pids before disposing: a disposed Process no longer knows its id.
        var ownPids = processes.Select(p => p.Pid).ToHashSet();

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

        if (spawnedHub is { } pid && !ownPids.Contains(pid))
        {
            Posix.Kill(pid, Posix.SIGKILL);
            await Posix.WaitForExitAsync(pid, TimeSpan.FromSeconds(5));
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
