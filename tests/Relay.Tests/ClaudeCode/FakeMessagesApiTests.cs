using System.Text.Json.Nodes;
using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>The test rig itself: the real Claude Code CLI, offline, answered by the fake Messages API.</summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class FakeMessagesApiTests
{
    [ClaudeFact]
    public async Task Claude_Code_without_the_plugin_gets_its_answer_from_the_fake_model()
    {
        await using var world = new ClaudeWorld();
        var sessionId = Guid.NewGuid().ToString();
        world.Api.Script(sessionId, request => ModelReply.Text("pong: " + request.LatestPrompt.Trim()));

        var run = await world.RunClaudeAsync(["-p", "ping ✓ \"quoted\"", "--output-format", "json", "--session-id", sessionId], world.WorkDir("solo"));

        Assert.True(run.ExitCode == 0, $"claude -p failed ({run.ExitCode}): {run.Stdout}{run.Stderr}");
        var result = JsonNode.Parse(run.Stdout)!;
        Assert.Equal("pong: ping ✓ \"quoted\"", (string?)result["result"]);
        var seen = Assert.Single(world.Api.RequestsOf(sessionId), r => r.IsMainLoop);
        Assert.Contains("ping ✓ \"quoted\"", seen.LastUserText, StringComparison.Ordinal);
        Assert.Empty(world.Api.Errors);
    }

    [ClaudeFact]
    public async Task A_tool_call_from_the_fake_model_runs_and_its_result_comes_back_in_the_next_request()
    {
        await using var world = new ClaudeWorld();
        var sessionId = Guid.NewGuid().ToString();
        var work = world.WorkDir("tooling");
        await File.WriteAllTextAsync(Path.Combine(work, "note.txt"), "the secret is 1234\n");
        world.Api.Script(sessionId, request => request.LastToolResults.Count == 0
            ? ModelReply.Tool("Read", new JsonObject { ["file_path"] = Path.Combine(work, "note.txt") })
            : ModelReply.Text("read it"));

        var run = await world.RunClaudeAsync(["-p", "read note.txt", "--output-format", "json", "--allowedTools", "Read", "--session-id", sessionId], work);

        Assert.True(run.ExitCode == 0, $"claude -p failed ({run.ExitCode}): {run.Stdout}{run.Stderr}");
        Assert.Equal("read it", (string?)JsonNode.Parse(run.Stdout)!["result"]);
        var second = world.Api.RequestsOf(sessionId).Last(r => r.IsMainLoop);
        var (tool, text, isError) = Assert.Single(second.LastToolResults);
        Assert.Equal("Read", tool);
        Assert.False(isError, text);
        Assert.Contains("the secret is 1234", text, StringComparison.Ordinal);
    }
}
