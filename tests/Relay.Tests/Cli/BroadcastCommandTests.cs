using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

public sealed class BroadcastCommandTests
{
    [Fact]
    public async Task Broadcast_prints_each_reply_then_a_summary_naming_the_silent_peer_and_exits_4()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var api = await TestPeer.JoinAsync(sandbox, "api");
        await using var web = await TestPeer.JoinAsync(sandbox, "web");
        await using var quiet = await TestPeer.JoinAsync(sandbox, "quiet");
        api.AnswerAll(_ => "api: idle");
        web.AnswerAll(_ => "building the login page");

        var result = await sandbox.RunAsync(["broadcast", "status?", "--wait", "1s"]);

        Assert.True(result.ExitCode == 4, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("api: api: idle", lines);
        Assert.Contains("web: building the login page", lines);
        Assert.Equal("2 of 3 answered; no answer from: quiet (timeout)", lines[^1]);
    }

    [Fact]
    public async Task Broadcast_json_emits_reply_no_answer_and_summary_lines()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var api = await TestPeer.JoinAsync(sandbox, "api");
        await using var quiet = await TestPeer.JoinAsync(sandbox, "quiet");
        api.AnswerAll(_ => "fine");

        var result = await sandbox.RunAsync(["broadcast", "status?", "--wait", "1s", "--json"]);

        Assert.True(result.ExitCode == 4, result.ToString());
        var lines = result.JsonLines();
        var reply = Assert.Single(lines, l => l.GetProperty("type").GetString() == "reply");
        Assert.Equal("api", reply.GetProperty("from").GetString());
        Assert.Equal("fine", reply.GetProperty("text").GetString());
        var missing = Assert.Single(lines, l => l.GetProperty("type").GetString() == "no_answer");
        Assert.Equal("quiet", missing.GetProperty("to").GetString());
        var summary = lines[^1];
        Assert.Equal("summary", summary.GetProperty("type").GetString());
        Assert.Equal(2, summary.GetProperty("peer_count").GetInt32());
        Assert.Equal(1, summary.GetProperty("answered").GetInt32());
        Assert.Equal(["quiet"], summary.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Broadcast_answered_by_everyone_exits_0_without_waiting_out_the_window()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var api = await TestPeer.JoinAsync(sandbox, "api");
        api.AnswerAll(_ => "here");

        var started = DateTime.UtcNow;
        var result = await sandbox.RunAsync(["broadcast", "roll call", "--wait", "60s"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith("1 of 1 answered\n", result.Stdout);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
    }
}
