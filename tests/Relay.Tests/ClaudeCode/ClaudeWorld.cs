using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// One test's private Claude Code world: a scratch HOME (onboarding done, the test API key approved, the channels
/// feature flag and allowlist seeded in <c>~/.claude.json</c>), the fake Messages API, a clean environment for every
/// <c>claude</c> process, and the sessions the test started. All sessions share the HOME, so they share the plugin's
/// data dir and one hub. Disposing stops exactly what the test started (sessions, their channels, the hub).
/// </summary>
public sealed class ClaudeWorld : IAsyncDisposable
{
    public const string ApiKey = "sk-ant-test-relay-e2e-0123456789abcdef";
    public const string PluginId = "relay@claude-relay";
    public const string ToolPrefix = "mcp__plugin_relay_relay__";

    private readonly List<ClaudeSession> _sessions = [];

    /// <param name="hubIdleExit">How long the hub lingers after its last peer left.</param>
    /// <param name="cli">The Claude Code binary (default <see cref="ClaudeCli.Path"/>; <see cref="ClaudeCli.LegacyPath"/> for the oldest supported).</param>
    public ClaudeWorld(TimeSpan? hubIdleExit = null, string? cli = null)
    {
        if (!File.Exists(RelayBinary.Path))
        {
            throw new FileNotFoundException($"the relay binary under test is missing: {RelayBinary.Path} (give RELAY_BIN as an absolute path)");
        }

        Cli = cli ?? ClaudeCli.Path ?? throw new InvalidOperationException(ClaudeCli.SkipReason);

        Root = Directory.CreateTempSubdirectory("rlc-").FullName;
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        Api = new FakeMessagesApi();
        Env = CleanEnvironment();
        Env["HOME"] = Home;
        Env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        Env["TERM"] = "xterm-256color";
        Env["LANG"] = "C.UTF-8";
        Env["ANTHROPIC_BASE_URL"] = Api.BaseUrl;
        Env["ANTHROPIC_API_KEY"] = ApiKey;
        Env["DISABLE_AUTOUPDATER"] = "1";
        Env["DISABLE_ERROR_REPORTING"] = "1";
        Env["IS_SANDBOX"] = "1";
        // The plugin's launcher runs the binary under test instead of building one; channels inherit this env.
        Env["RELAY_LAUNCHER_BIN"] = RelayBinary.Path;
        Env["RELAY_HUB_IDLE_EXIT_MS"] = ((long)(hubIdleExit ?? TimeSpan.FromSeconds(60)).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        Env["RELAY_LOG_LEVEL"] = "debug";
        WriteClaudeJson(Home);
    }

    /// <summary>The Claude Code binary every <c>claude</c> process of this world runs.</summary>
    public string Cli { get; }

    public string Root { get; }

    public string Home { get; }

    public FakeMessagesApi Api { get; }

    /// <summary>The full environment of every claude process (nothing of the developer's own setup leaks in).</summary>
    public Dictionary<string, string?> Env { get; }

    /// <summary>The plugin data dir Claude Code gives the channel (<c>$CLAUDE_PLUGIN_DATA</c>).</summary>
    public string DataDir => Path.Combine(Home, ".claude", "plugins", "data", "relay-claude-relay");

    public string SocketPath => Path.Combine(DataDir, "hub.sock");

    public string WorkDir(string name)
    {
        var dir = Path.Combine(Root, "w", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs one <c>claude</c> command to completion.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunClaudeAsync(IEnumerable<string> args, string? workDir = null, TimeSpan? timeout = null)
    {
        await using var process = TrackedProcess.Start(Cli, args, Env, workDir ?? Root);
        var code = await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return (code, process.Stdout, process.Stderr);
    }

    /// <summary>
    /// Runs the relay CLI as a user of this world would (its HOME, or <paramref name="home"/> for a session's own HOME;
    /// always this world's data dir, so the hub it may start is the one disposing cleans up).
    /// </summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunRelayAsync(IEnumerable<string> args, string? home = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var env = new Dictionary<string, string?>(Env);
        if (home is not null)
        {
            env["HOME"] = home;
        }

        await using var process = TrackedProcess.StartRelay(["--data-dir", DataDir, .. args], env, Root);
        if (stdin is not null)
        {
            await process.Process.StandardInput.WriteAsync(stdin);
        }

        process.Process.StandardInput.Close();
        var code = await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(90));
        return (code, process.Stdout, process.Stderr);
    }

    /// <summary>Adds the plugin's marketplace (the repo's plugin files) and installs the plugin, as a user would.</summary>
    public async Task InstallPluginAsync()
    {
        var add = await RunClaudeAsync(["plugin", "marketplace", "add", PluginMarketplaceCopy.Path]);
        Assert.True(add.ExitCode == 0, $"marketplace add failed: {add.Stdout}{add.Stderr}");
        var install = await RunClaudeAsync(["plugin", "install", PluginId]);
        Assert.True(install.ExitCode == 0, $"plugin install failed: {install.Stdout}{install.Stderr}");
    }

    /// <summary>
    /// Starts a stream-json session with the relay channel in its own working directory <paramref name="name"/> (so
    /// its default peer name is <paramref name="name"/>); its model follows <paramref name="brain"/>.
    /// <paramref name="options"/> can drop the channel flag, use a HOME without the plugin, set the permission
    /// mode, add settings or a debug log.
    /// </summary>
    public ClaudeSession StartSession(string name, Func<ModelRequest, ModelReply> brain, ClaudeSessionOptions? options = null)
    {
        options ??= ClaudeSessionOptions.Default;
        var sessionId = Guid.NewGuid().ToString();
        Api.Script(sessionId, brain);
        var env = new Dictionary<string, string?>(Env);
        if (!options.PluginInstalled)
        {
            env["HOME"] = BareHome(name);
        }

        string? debugFile = null;
        if (options.DebugLog)
        {
            Directory.CreateDirectory(Path.Combine(Root, "debug"));
            debugFile = Path.Combine(Root, "debug", name + ".log");
        }

        var session = ClaudeSession.Start(Cli, name, sessionId, WorkDir(name), env, options, debugFile);
        lock (_sessions)
        {
            _sessions.Add(session);
        }

        return session;
    }

    /// <summary>A HOME of its own for one session, set up like the world's but without the plugin.</summary>
    private string BareHome(string name)
    {
        var home = Path.Combine(Root, "homes", name);
        Directory.CreateDirectory(home);
        WriteClaudeJson(home);
        return home;
    }

    /// <summary>The pid of the hub serving this world's socket, or null when none answers.</summary>
    public async Task<int?> HubPidAsync() => (await HubStatusProbe.QueryAsync(SocketPath))?.Pid;

    /// <summary>
    /// Gives each session its first prompts: "hello" until a turn's request shows the relay tools to the model (in
    /// <c>tools</c>, or as deferred tools loadable through ToolSearch on 2.1.332). A session's turn can start before
    /// Claude Code has connected its MCP servers (in <c>-p</c> mode it does not wait for them), and channel pushes
    /// reach a session only once its channel was connected when a prompt was processed; such a turn proves that.
    /// </summary>
    public async Task GreetAsync(params ClaudeSession[] sessions)
    {
        await Task.WhenAll(sessions.Select(async session =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                await session.AskAsync("hello");
                if (Api.RequestsOf(session.SessionId).LastOrDefault(r => r.IsMainLoop) is { } last && last.Mentions(ToolPrefix))
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"session {session.Name} never offered the relay tools to its model\n{Diagnostics()}");
                }

                await Task.Delay(250);
            }
        }));
        await WaitForPeerCountAsync(sessions.Length);
    }

    /// <summary>Waits until the hub counts <paramref name="count"/> peers (every session's channel registered).</summary>
    public async Task WaitForPeerCountAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        int? seen = null;
        while (DateTime.UtcNow < deadline)
        {
            seen = await PeerCountAsync();
            if (seen == count)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the hub never counted {count} peers within {limit.TotalSeconds:0} s (last seen: {seen?.ToString(CultureInfo.InvariantCulture) ?? "no hub"})\n{Diagnostics()}");
    }

    /// <summary>Waits until the fake API logged a matching request; on timeout the message carries the diagnostics.</summary>
    public async Task<ModelRequest> WaitForRequestAsync(Func<ModelRequest, bool> match, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await Api.WaitForRequestAsync(match, timeout ?? TimeSpan.FromSeconds(60), what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + Diagnostics(), ex);
        }
    }

    /// <summary>What a failing test needs to know: the data dir, the relay log's tail, each session's stderr.</summary>
    public string Diagnostics()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"data dir {DataDir}:");
        if (Directory.Exists(DataDir))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(DataDir, "*", SearchOption.AllDirectories))
            {
                text.AppendLine("  " + Path.GetRelativePath(DataDir, entry));
            }

            var logs = Path.Combine(DataDir, "logs");
            foreach (var log in Directory.Exists(logs) ? Directory.EnumerateFiles(logs, "*.log") : [])
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"last lines of {Path.GetFileName(log)}:");
                foreach (var line in File.ReadLines(log).TakeLast(40))
                {
                    text.AppendLine("  " + line);
                }
            }
        }

        lock (_sessions)
        {
            foreach (var session in _sessions)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"session {session.Name} (pid {session.Pid}, exited: {session.Process.HasExited}) stderr: {session.Process.Stderr}");
            }
        }

        return text.ToString();
    }

    private async Task<int?> PeerCountAsync() => (await HubStatusProbe.QueryAsync(SocketPath))?.PeerCount;

    private static Dictionary<string, string?> CleanEnvironment()
    {
        var env = new Dictionary<string, string?>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            env[(string)entry.Key] = null;
        }

        return env;
    }

    private void WriteClaudeJson(string home)
    {
        var config = new JsonObject
        {
            ["hasCompletedOnboarding"] = true,
            ["theme"] = "dark",
            ["bypassPermissionsModeAccepted"] = true,
            ["customApiKeyResponses"] = new JsonObject { ["approved"] = new JsonArray(ApiKey[^20..]), ["rejected"] = new JsonArray() },
            ["projects"] = new JsonObject
            {
                [Root] = new JsonObject { ["hasTrustDialogAccepted"] = true },
                [Path.Combine(Root, "w")] = new JsonObject { ["hasTrustDialogAccepted"] = true },
            },
            // Test-only: offline, the channels feature flag and the channel allowlist come from this local cache.
            ["cachedGrowthBookFeatures"] = new JsonObject
            {
                ["tengu_harbor"] = true,
                ["tengu_harbor_ledger"] = new JsonArray(new JsonObject { ["plugin"] = "relay", ["marketplace"] = "claude-relay" }),
            },
        };
        File.WriteAllText(Path.Combine(home, ".claude.json"), config.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        List<ClaudeSession> sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        var hub = await HubPidAsync();
        // Channels are children of their claude process; note them before the sessions go.
        var channels = sessions.Where(s => !s.Process.HasExited).SelectMany(s => ProcFs.ChildrenOf(s.Pid)).ToList();
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }

        foreach (var pid in channels.Append(hub ?? 0).Where(p => p > 0))
        {
            if (Posix.IsAlive(pid))
            {
                Posix.Kill(pid, Posix.SIGKILL);
                await Posix.WaitForExitAsync(pid, TimeSpan.FromSeconds(5));
            }
        }

        await Api.DisposeAsync();
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
