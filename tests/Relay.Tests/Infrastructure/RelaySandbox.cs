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

    /// <summary>Live processes with an argument inside this sandbox's root (a hub spawned with its data dir).</summary>
    private List<int> ProcessesNamingRoot()
    {
        var prefix = Root + "/";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var args = File.ReadAllText(System.IO.Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Any(arg => arg.StartsWith(prefix, StringComparison.Ordinal)) && Posix.IsAlive(pid))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

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
            var strays = ProcessesNamingRoot();
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
