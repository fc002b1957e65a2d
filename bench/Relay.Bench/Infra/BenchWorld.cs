using System.Globalization;
using System.Net.Sockets;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;

namespace Relay.Bench.Infra;

/// <summary>
/// One private relay installation for a scenario: a short temp root with a data dir and a scratch HOME, the
/// environment every relay process gets, the hub and the channels it started. Disposing stops exactly those
/// processes (and a hub a channel spawned in this data dir, found through the socket and checked by its command
/// line), then deletes the directory.
/// </summary>
internal sealed class BenchWorld : IDisposable
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    private readonly List<RawMcpPeer> _channels = [];
    private readonly List<IDisposable> _others = [];
    private readonly HashSet<int> _spawnedHubs = [];
    private LineProcess? _hub;

    public BenchWorld(BenchOptions options)
    {
        RelayPath = options.RelayPath;
        // Unix socket paths are limited to 108 bytes: keep the root short.
        Root = Directory.CreateTempSubdirectory("rb-").FullName;
        DataDir = Path.Combine(Root, "data");
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        Env = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["CLAUDE_PLUGIN_DATA"] = DataDir,
            // Pushes are not held after tools/list in the bench (Claude Code needs the hold; a benchmark does not).
            ["RELAY_PUSH_DELAY_MS"] = "0",
            // The bench's MCP clients are not Claude Code: without this their channels would use the pull path. The
            // figures are for the channel-push path (the inbox path ends in Claude Code's own socket).
            ["RELAY_DELIVERY"] = "channel",
            ["CLAUDE_CODE_MESSAGING_SOCKET"] = null,
            ["RELAY_HUB_NATIVE_SESSIONS"] = "0",
            // A safety net only: every hub the bench starts is stopped by pid.
            ["RELAY_HUB_IDLE_EXIT_MS"] = "60000",
            // The throughput scenarios ask as fast as relay goes (thousands per second from one peer), which the
            // hub's per-peer ask rate limit (100/s after a burst of 200) would refuse: off for the figures.
            ["RELAY_HUB_ASK_RATE"] = "0",
            // The default level, stated so a developer's environment cannot change the figures.
            ["RELAY_LOG_LEVEL"] = "info",
            ["RELAY_LOG_STDERR"] = null,
            ["RELAY_HUB_SOCKET"] = null,
            ["RELAY_ASK_TIMEOUT_MS"] = null,
            ["RELAY_EXE"] = null,
            ["CLAUDE_RELAY_PRESET_NAME"] = null,
            ["CLAUDE_PROJECT_DIR"] = null,
            ["CLAUDE_CODE_SESSION_ID"] = null,
            ["CLAUDE_PLUGIN_ROOT"] = null,
        };
        foreach (var (key, value) in options.ExtraEnv)
        {
            Env[key] = value;
        }
    }

    public string RelayPath { get; }

    public string Root { get; }

    public string DataDir { get; }

    public string Home { get; }

    public string SocketPath => Path.Combine(DataDir, "hub.sock");

    public Dictionary<string, string?> Env { get; }

    /// <summary>The pid of the hub (started by <see cref="StartHub"/> or found through the socket).</summary>
    public int HubPid { get; private set; }

    public string WorkDir(string name)
    {
        var dir = Path.Combine(Root, "work", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Starts <c>relay hub</c> (plus <paramref name="extraArgs"/>) as this process's child (foreground) and waits until its socket answers.</summary>
    public int StartHub(params string[] extraArgs)
    {
        Directory.CreateDirectory(DataDir);
        _hub = LineProcess.Start(RelayPath, ["hub", .. extraArgs], Env, Root, "hub", static (_, _) => { });
        var deadline = DateTime.UtcNow + AnswerTimeout;
        while (!CanConnect())
        {
            if (_hub.HasExited || DateTime.UtcNow > deadline)
            {
                throw new BenchFailure($"the hub did not come up at {SocketPath} (exited: {_hub.HasExited}); stderr: {_hub.StderrTail}");
            }

            Thread.Sleep(2);
        }

        HubPid = _hub.Pid;
        return HubPid;
    }

    public bool CanConnect()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Asks the hub on this world's socket for its pid (null when none answers) and remembers it for cleanup.</summary>
    public int? DiscoverHub()
    {
        try
        {
            var status = Task.Run(async () =>
            {
                await using var client = await HubClient.ConnectAsync(SocketPath).ConfigureAwait(false);
                return await client.RequestAsync(new HubStatusMessage()).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }).GetAwaiter().GetResult();
            if (status is HubStatusReplyMessage reply)
            {
                HubPid = reply.Pid;
                if (_hub is null || _hub.Pid != reply.Pid)
                {
                    _spawnedHubs.Add(reply.Pid);
                }

                return reply.Pid;
            }
        }
        catch (Exception ex) when (ex is HubUnreachableException or TimeoutException or IOException or SocketException)
        {
        }

        return null;
    }

    /// <summary>Starts one <c>relay mcp</c> named <paramref name="name"/> (preset name, own working directory). No handshake yet.</summary>
    public RawMcpPeer SpawnChannel(string name)
    {
        var env = new Dictionary<string, string?>(Env) { ["CLAUDE_RELAY_PRESET_NAME"] = name };
        var peer = RawMcpPeer.Start(RelayPath, ["mcp"], env, WorkDir(name), name);
        lock (_channels)
        {
            _channels.Add(peer);
        }

        return peer;
    }

    /// <summary>Starts a channel, does the handshake and waits for its first successful relay_peers.</summary>
    public RawMcpPeer StartChannel(string name)
    {
        var peer = SpawnChannel(name);
        peer.Initialize(AnswerTimeout);
        WaitPeers(peer, 0);
        return peer;
    }

    /// <summary>Starts many channels at once: spawn all, then handshake all, then wait until each sees the others.</summary>
    public List<RawMcpPeer> StartChannels(IEnumerable<string> names)
    {
        var peers = names.Select(SpawnChannel).ToList();
        Parallel.ForEach(peers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, p => p.Initialize(AnswerTimeout));
        return peers;
    }

    /// <summary>Calls relay_peers until it succeeds and lists at least <paramref name="others"/> other peers.</summary>
    public static int WaitPeers(RawMcpPeer peer, int others)
    {
        var deadline = DateTime.UtcNow + AnswerTimeout;
        while (true)
        {
            var answer = peer.CallTool("relay_peers", static _ => { }, AnswerTimeout);
            if (answer.ToolOk && answer.ToolPayload is { } payload && payload.TryGetProperty("peers", out var list) && list.GetArrayLength() >= others)
            {
                return list.GetArrayLength();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BenchFailure($"{peer.Name}: relay_peers never listed {others} peers: {answer.Describe()}");
            }

            Thread.Sleep(answer.ToolOk ? 5 : 1);
        }
    }

    public void Track(IDisposable other) => _others.Add(other);

    /// <summary>Stops one channel (stdin EOF first, as Claude Code's exit does) and forgets it.</summary>
    public void StopChannel(RawMcpPeer peer)
    {
        lock (_channels)
        {
            _channels.Remove(peer);
        }

        peer.Dispose();
    }

    public void Dispose()
    {
        RawMcpPeer[] channels;
        lock (_channels)
        {
            channels = [.. _channels];
            _channels.Clear();
        }

        DiscoverHub();
        Parallel.ForEach(channels, c => c.Dispose());
        foreach (var other in _others)
        {
            other.Dispose();
        }

        if (_hub is not null)
        {
            // The hub is a daemon: stdin EOF means nothing to it; SIGTERM lets it remove its socket.
            _hub.Terminate(TimeSpan.FromSeconds(2));
            _hub.Dispose();
        }

        foreach (var pid in _spawnedHubs)
        {
            StopSpawnedHub(pid);
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

    /// <summary>Stops a hub a channel spawned (not our child): only when its command line names this world's data dir.</summary>
    private void StopSpawnedHub(int pid)
    {
        var command = ProcStats.CommandLine(pid);
        if (!command.Contains(" hub", StringComparison.Ordinal) || !command.Contains(DataDir, StringComparison.Ordinal))
        {
            return;
        }

        Posix.Terminate(pid, TimeSpan.FromSeconds(2));
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
