using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

public sealed class AskCommandTests
{
    [Fact]
    public async Task A_cli_ask_answered_by_a_peer_prints_the_reply_text()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var backend = await TestPeer.JoinAsync(sandbox, "backend");
        backend.AnswerAll(question => "you asked: " + question);

        var result = await sandbox.RunAsync(["ask", "backend", "is the token shape the same?"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("you asked: is the token shape the same?\n", result.Stdout);
    }

    [Fact]
    public async Task Ask_with_json_prints_from_text_ask_id_and_thread_id()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var backend = await TestPeer.JoinAsync(sandbox, "backend");
        backend.AnswerAll(question => question.ToUpperInvariant());

        var result = await sandbox.RunAsync(["ask", "backend", "-", "--json", "--thread", "th-1", "--as", "ops"], stdin: "shape?\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal("backend", json.GetProperty("from").GetString());
        Assert.Equal("SHAPE?", json.GetProperty("text").GetString());
        Assert.Equal("th-1", json.GetProperty("thread_id").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("ask_id").GetString()));
    }

    [Fact]
    public async Task Ask_joins_as_cli_user_with_a_suffix_when_the_name_is_taken()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var user = "cli-" + Relay.Protocol.PeerNames.Slugify(Environment.UserName, "user");
        await using var squatter = await TestPeer.JoinAsync(sandbox, user, PeerKinds.Cli);
        await using var backend = await TestPeer.JoinAsync(sandbox, "backend");
        var asks = backend.NextAskAsync();

        var run = sandbox.RunAsync(["ask", "backend", "who are you?"]);
        var ask = await asks;
        await backend.ReplyAsync(ask.AskId, "ok");
        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(user + "-2", ask.From);
    }

    [Fact]
    public async Task Ask_to_an_unknown_peer_exits_2_with_peer_not_found()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();

        var result = await sandbox.RunAsync(["ask", "nobody", "hello?"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("relay: peer_not_found: ", result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task Ask_that_gets_no_reply_in_time_exits_4_with_timeout()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var silent = await TestPeer.JoinAsync(sandbox, "silent");

        var result = await sandbox.RunAsync(["ask", "silent", "anyone?", "--timeout", "500ms", "--json"]);

        Assert.Equal(4, result.ExitCode);
        // With --json the progress lines on stderr are JSON too; the error line comes last.
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using (var sent = System.Text.Json.JsonDocument.Parse(lines[0]))
        {
            Assert.Equal("ask_status", sent.RootElement.GetProperty("type").GetString());
            Assert.Equal("sent", sent.RootElement.GetProperty("status").GetString());
            Assert.Equal("silent", sent.RootElement.GetProperty("to").GetString());
            Assert.Equal("socket", sent.RootElement.GetProperty("delivery").GetString());
        }

        Assert.StartsWith("relay: timeout: ", lines[^1]);
        Assert.Equal("timeout", result.Json().GetProperty("code").GetString());
    }

    [Fact]
    public async Task Ask_whose_target_leaves_exits_3_with_peer_gone()
    {
        await using var sandbox = new RelaySandbox();
        // Hold 0: a leaving channel's askers get peer_gone at once (ChannelHoldTests has the hold for its return).
        await sandbox.StartHubAsync("--hold", "0");
        var leaver = await TestPeer.JoinAsync(sandbox, "leaver");
        var asked = leaver.NextAskAsync();

        var run = sandbox.RunAsync(["ask", "leaver", "still there?"]);
        await asked;
        await leaver.DisposeAsync();
        var result = await run;

        Assert.Equal(3, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["relay: sent to leaver (terminal)"], lines[..^1]);
        Assert.StartsWith("relay: peer_gone: ", lines[^1]);
    }

    [Fact]
    public async Task Ask_without_a_hub_exits_5_and_does_not_start_one()
    {
        await using var sandbox = new RelaySandbox();

        var result = await sandbox.RunAsync(["ask", "backend", "hello?"]);

        Assert.Equal(5, result.ExitCode);
        Assert.StartsWith("relay: hub_unreachable: ", result.Stderr);
        Assert.False(File.Exists(sandbox.SocketPath));
    }

    [Fact]
    public async Task Ask_with_a_bad_timeout_exits_9_with_bad_args()
    {
        await using var sandbox = new RelaySandbox();

        var result = await sandbox.RunAsync(["ask", "backend", "hello?", "--timeout", "soon"]);

        Assert.Equal(9, result.ExitCode);
        Assert.StartsWith("relay: bad_args: --timeout", result.Stderr);
    }

    [Fact]
    public async Task Ask_as_a_name_in_use_exits_8_with_name_taken()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var ops = await TestPeer.JoinAsync(sandbox, "ops", PeerKinds.Cli);

        var result = await sandbox.RunAsync(["ask", "ops", "hello?", "--as", "ops"]);

        Assert.Equal(8, result.ExitCode);
        Assert.StartsWith("relay: name_taken: ", result.Stderr);
    }

    [Fact]
    public async Task Ctrl_c_while_waiting_for_a_reply_exits_130()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var silent = await TestPeer.JoinAsync(sandbox, "silent");
        var asked = silent.NextAskAsync();
        var ask = sandbox.StartRelay(["ask", "silent", "are you there?"]);
        await asked;

        ask.Signal(Posix.SIGINT);

        Assert.Equal(130, await ask.WaitForExitAsync());
    }
}
