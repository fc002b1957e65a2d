using System.Text.Json;
using System.Text.Json.Nodes;
using Relay.Tests.Infrastructure;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// One real Claude Code session in stream-json mode (<c>claude -p --input-format stream-json --output-format
/// stream-json --verbose --channels plugin:relay@claude-relay</c>, see <see cref="ClaudeSessionOptions"/>) with stdin
/// kept open, so every channel push that arrives while it is idle starts a new turn and ends in its own
/// <c>result</c> event.
/// </summary>
public sealed class ClaudeSession : IAsyncDisposable
{
    private ClaudeSession(string name, string sessionId, string workDir, string home, string? debugFile, TrackedProcess process)
    {
        Name = name;
        SessionId = sessionId;
        WorkDir = workDir;
        Home = home;
        DebugFile = debugFile;
        Process = process;
    }

    public string Name { get; }

    public string SessionId { get; }

    public string WorkDir { get; }

    /// <summary>The session's HOME (the world's, or its own when started without the plugin installed).</summary>
    public string Home { get; }

    /// <summary>Claude Code's debug log (<c>--debug-file</c>), or null when not asked for.</summary>
    public string? DebugFile { get; }

    /// <summary>The debug log so far ("" when there is none yet).</summary>
    public string DebugLog => DebugFile is not null && File.Exists(DebugFile) ? File.ReadAllText(DebugFile) : "";

    public TrackedProcess Process { get; }

    public int Pid => Process.Pid;

    /// <summary>Claude Code's record of this session, <c>~/.claude/sessions/&lt;pid&gt;.json</c>.</summary>
    public string SessionFile => Path.Combine(Home, ".claude", "sessions", $"{Pid}.json");

    /// <summary>The stream-json <c>init</c> event (<c>type: system, subtype: init</c>), or null before it is printed.</summary>
    public JsonObject? InitEvent => Events.FirstOrDefault(e => (string?)e["type"] == "system" && (string?)e["subtype"] == "init");

    /// <summary>The native inbox socket from the <c>init</c> event (Claude Code ≥ 2.1.224; null before, or when off).</summary>
    public string? MessagingSocketPath => (string?)InitEvent?["messaging_socket_path"];

    /// <summary>Starts <paramref name="cli"/> in stream-json mode; <paramref name="env"/> is the full environment (its HOME included).</summary>
    public static ClaudeSession Start(string cli, string name, string sessionId, string workDir, IReadOnlyDictionary<string, string?> env, ClaudeSessionOptions options, string? debugFile)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        List<string> args =
        [
            "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
            "--allowedTools", "mcp__plugin_relay_relay",
            "--session-id", sessionId,
        ];
        if (options.Channel)
        {
            args.AddRange(["--channels", "plugin:" + ClaudeWorld.PluginId]);
        }

        if (options.PermissionMode is { } mode)
        {
            args.AddRange(["--permission-mode", mode]);
        }

        if (options.Settings is { } settings)
        {
            args.AddRange(["--settings", settings]);
        }

        if (debugFile is not null)
        {
            args.AddRange(["--debug-file", debugFile]);
        }

        args.AddRange(options.ExtraArgs);
        var home = env["HOME"] ?? throw new ArgumentException("the environment has no HOME", nameof(env));
        return new ClaudeSession(name, sessionId, workDir, home, debugFile, TrackedProcess.Start(cli, args, env, workDir));
    }

    /// <summary>Reads <see cref="SessionFile"/>; null while it is missing or half written.</summary>
    public JsonObject? ReadSessionFile()
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(SessionFile)) as JsonObject;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Waits until the stream-json <c>init</c> event was printed; returns it.</summary>
    public async Task<JsonObject> WaitForInitAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (InitEvent is { } init)
            {
                return init;
            }

            if (Process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"session {Name} printed no init event (exited: {Process.HasExited}); stderr: {Process.Stderr}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The stream-json events printed so far.</summary>
    public IReadOnlyList<JsonObject> Events =>
        [.. Process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).OfType<JsonObject>()];

    public IReadOnlyList<JsonObject> Results => [.. Events.Where(e => (string?)e["type"] == "result")];

    /// <summary>Sends one user message (a prompt, or a slash command such as <c>/relay:relay-rename x</c>).</summary>
    public async Task SendAsync(string text)
    {
        var line = new JsonObject
        {
            ["type"] = "user",
            ["message"] = new JsonObject { ["role"] = "user", ["content"] = text },
        };
        await Process.Process.StandardInput.WriteLineAsync(line.ToJsonString());
        await Process.Process.StandardInput.FlushAsync();
    }

    /// <summary>Sends a prompt and waits for the turn it starts to end.</summary>
    public async Task<JsonObject> AskAsync(string text, TimeSpan? timeout = null)
    {
        var before = Results.Count;
        await SendAsync(text);
        return await WaitForResultsAsync(before + 1, timeout);
    }

    /// <summary>Waits until the session has printed <paramref name="count"/> result events; returns the last.</summary>
    public async Task<JsonObject> WaitForResultsAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var results = Results;
            if (results.Count >= count)
            {
                return results[count - 1];
            }

            if (Process.HasExited)
            {
                throw new InvalidOperationException($"session {Name} exited ({Process.Process.ExitCode}) after {results.Count} results; stderr: {Process.Stderr}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"session {Name} printed {results.Count} of {count} results within {limit.TotalSeconds:0} s; stderr: {Process.Stderr}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The relay channel processes Claude Code started for this session (its children running <c>mcp</c>).</summary>
    public IReadOnlyList<int> ChannelPids() =>
        [.. ProcFs.ChildrenOf(Pid).Where(pid => ProcFs.CommandLine(pid).Contains("mcp"))];

    /// <summary>Ends the session the way a stream-json client does: closes its stdin.</summary>
    public void CloseInput() => Process.Process.StandardInput.Close();

    private static JsonObject? Parse(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            try
            {
                CloseInput();
                await Process.WaitForExitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
            {
            }
        }

        await Process.DisposeAsync();
    }
}
