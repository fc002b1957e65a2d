using System.Text.Json;
using System.Text.Json.Nodes;
using Relay.Tests.Infrastructure;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// One real Claude Code session in stream-json mode (<c>claude -p --input-format stream-json --output-format
/// stream-json --verbose --channels plugin:relay@claude-relay</c>) with stdin kept open, so every channel push that
/// arrives while it is idle starts a new turn and ends in its own <c>result</c> event.
/// </summary>
public sealed class ClaudeSession : IAsyncDisposable
{
    private ClaudeSession(string name, string sessionId, string workDir, TrackedProcess process)
    {
        Name = name;
        SessionId = sessionId;
        WorkDir = workDir;
        Process = process;
    }

    public string Name { get; }

    public string SessionId { get; }

    public string WorkDir { get; }

    public TrackedProcess Process { get; }

    public int Pid => Process.Pid;

    public static ClaudeSession Start(string name, string sessionId, string workDir, IReadOnlyDictionary<string, string?> env)
    {
        string[] args =
        [
            "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
            "--channels", "plugin:" + ClaudeWorld.PluginId,
            "--allowedTools", "mcp__plugin_relay_relay",
            "--session-id", sessionId,
        ];
        return new ClaudeSession(name, sessionId, workDir, TrackedProcess.Start(ClaudeCli.Path!, args, env, workDir));
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
        [.. ProcessTree.ChildrenOf(Pid).Where(pid => ProcessTree.CommandLine(pid).Contains("mcp"))];

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
