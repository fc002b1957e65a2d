using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

public sealed class ListenCommandTests
{
    private static async Task<TrackedProcess> StartListenerAsync(RelaySandbox sandbox, params string[] args)
    {
        var listener = sandbox.StartRelay(["listen", .. args]);
        await Poll.UntilAsync(() => listener.Stderr.Contains("listening as", StringComparison.Ordinal) || listener.HasExited, "relay listen to register");
        Assert.False(listener.HasExited, listener.Stderr);
        return listener;
    }

    [Fact]
    public async Task Listen_exec_answers_an_ask_with_the_commands_stdout()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await StartListenerAsync(sandbox, "--as", "upper", "--exec", "tr a-z A-Z");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");

        var askId = await asker.AskAsync("upper", "make me loud");
        var outcome = await asker.NextOutcomeAsync(askId);

        var reply = Assert.IsType<IncomingReplyMessage>(outcome);
        Assert.Equal("upper", reply.From);
        Assert.Equal("MAKE ME LOUD", reply.Text);
    }

    [Fact]
    public async Task Listen_exec_passes_the_ask_ids_in_the_environment()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await StartListenerAsync(sandbox, "--as", "env", "--exec", "echo \"$RELAY_FROM $RELAY_ASK_ID $RELAY_THREAD_ID\"");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");

        var askId = await asker.AskAsync("env", "who am I?");
        var reply = Assert.IsType<IncomingReplyMessage>(await asker.NextOutcomeAsync(askId));

        Assert.Equal($"asker {askId} {reply.ThreadId}", reply.Text);
    }

    [Fact]
    public async Task Listen_exec_replies_with_an_error_note_when_the_command_fails()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var listener = await StartListenerAsync(sandbox, "--as", "broken", "--exec", "echo partial; echo boom >&2; exit 3", "--json");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");

        var askId = await asker.AskAsync("broken", "try");
        var reply = Assert.IsType<IncomingReplyMessage>(await asker.NextOutcomeAsync(askId));

        Assert.Equal("partial\n[relay listen: the command failed with exit code 3: boom]", reply.Text);
        await Poll.UntilAsync(() => listener.Stdout.Contains("\"type\":\"replied\"", StringComparison.Ordinal), "the replied line");
        Assert.Contains("\"exit_code\":3", listener.Stdout);
    }

    [Fact]
    public async Task Listen_exec_stops_a_hanging_command_and_answers_concurrent_asks_meanwhile()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await StartListenerAsync(sandbox, "--as", "slow", "--exec-timeout", "1s", "--exec", "read q; if [ \"$q\" = hang ]; then sleep 30; fi; echo \"done $q\"");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");

        var hanging = await asker.AskAsync("slow", "hang");
        var quick = await asker.AskAsync("slow", "quick");

        var first = Assert.IsType<IncomingReplyMessage>(await asker.NextOutcomeAsync(quick));
        Assert.Equal("done quick", first.Text);
        var second = Assert.IsType<IncomingReplyMessage>(await asker.NextOutcomeAsync(hanging));
        Assert.Contains("ran longer than 1s and was stopped", second.Text);
    }

    [Fact]
    public async Task Listen_prints_each_incoming_ask_as_json()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var listener = await StartListenerAsync(sandbox, "--as", "human", "--json");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");

        var askId = await asker.AskAsync("human", "line one\nline two");
        await Poll.UntilAsync(() => listener.Stdout.Contains(askId, StringComparison.Ordinal), "the ask line");

        var line = new CliResult(0, listener.Stdout, string.Empty).JsonLines()[0];
        Assert.Equal("ask", line.GetProperty("type").GetString());
        Assert.Equal(askId, line.GetProperty("ask_id").GetString());
        Assert.Equal("asker", line.GetProperty("from").GetString());
        Assert.Equal("line one\nline two", line.GetProperty("question").GetString());
        Assert.False(string.IsNullOrEmpty(line.GetProperty("thread_id").GetString()));
    }

    [Fact]
    public async Task Reply_from_another_process_answers_an_ask_held_by_listen()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var listener = await StartListenerAsync(sandbox, "--as", "desk");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");

        var askId = await asker.AskAsync("desk", "can you check the logs?");
        await Poll.UntilAsync(() => listener.Stdout.Contains(askId, StringComparison.Ordinal), "listen to print the ask");
        var result = await sandbox.RunAsync(["reply", askId, "-", "--json"], stdin: "checked: all quiet\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("desk", result.Json().GetProperty("on_behalf_of").GetString());
        var reply = Assert.IsType<IncomingReplyMessage>(await asker.NextOutcomeAsync(askId));
        Assert.Equal("desk", reply.From);
        Assert.Equal("checked: all quiet", reply.Text);
        Assert.False(File.Exists(Path.Combine(sandbox.DataDir, "listen", askId + ".json")));
    }

    [Fact]
    public async Task Reply_with_as_names_the_listener_without_the_state_file()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var listener = await StartListenerAsync(sandbox, "--as", "desk");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");
        var askId = await asker.AskAsync("desk", "ping");
        await Poll.UntilAsync(() => listener.Stdout.Contains(askId, StringComparison.Ordinal), "listen to print the ask");
        File.Delete(Path.Combine(sandbox.DataDir, "listen", askId + ".json"));

        var result = await sandbox.RunAsync(["reply", askId, "pong", "--as", "desk"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("pong", Assert.IsType<IncomingReplyMessage>(await asker.NextOutcomeAsync(askId)).Text);
    }

    [Fact]
    public async Task Reply_to_an_unknown_ask_exits_7_with_unknown_ask()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await StartListenerAsync(sandbox, "--as", "desk");

        var noFile = await sandbox.RunAsync(["reply", "a-nosuchask", "hello"]);
        var viaHub = await sandbox.RunAsync(["reply", "a-nosuchask", "hello", "--as", "desk"]);

        Assert.Equal(7, noFile.ExitCode);
        Assert.StartsWith("relay: unknown_ask: ", noFile.Stderr);
        Assert.Equal(7, viaHub.ExitCode);
        Assert.StartsWith("relay: unknown_ask: ", viaHub.Stderr);
    }

    [Fact]
    public async Task Ctrl_c_stops_listen_with_exit_130_and_removes_its_state_files()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var listener = await StartListenerAsync(sandbox, "--as", "desk");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");
        var askId = await asker.AskAsync("desk", "held");
        await Poll.UntilAsync(() => listener.Stdout.Contains(askId, StringComparison.Ordinal), "listen to print the ask");
        Assert.True(File.Exists(Path.Combine(sandbox.DataDir, "listen", askId + ".json")));

        listener.Signal(Posix.SIGINT);

        Assert.Equal(130, await listener.WaitForExitAsync());
        Assert.False(File.Exists(Path.Combine(sandbox.DataDir, "listen", askId + ".json")));
        Assert.IsType<ErrMessage>(await asker.NextOutcomeAsync(askId));
    }

    [Fact]
    public async Task Listen_starts_a_hub_when_none_runs_in_a_data_dir_of_mode_0700()
    {
        await using var sandbox = new RelaySandbox();

        var listener = await StartListenerAsync(sandbox, "--as", "first");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");

        Assert.NotNull(await sandbox.HubPidAsync());
        Assert.False(listener.HasExited);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(sandbox.DataDir));
    }

    [Fact]
    public async Task Listen_reconnects_under_its_name_when_the_hub_restarts()
    {
        await using var sandbox = new RelaySandbox();
        var hub = await sandbox.StartHubAsync();
        var listener = await StartListenerAsync(sandbox, "--as", "desk", "--exec", "echo still here");

        hub.Signal(Posix.SIGKILL);
        await hub.WaitForExitAsync();
        await Poll.UntilAsync(() => listener.Stderr.Contains("reconnected as desk", StringComparison.Ordinal), "listen to reconnect");
        await using var asker = await TestPeer.JoinAsync(sandbox, "asker");
        var askId = await asker.AskAsync("desk", "you there?");

        Assert.Equal("still here", Assert.IsType<IncomingReplyMessage>(await asker.NextOutcomeAsync(askId)).Text);
        Assert.NotEqual(hub.Pid, await sandbox.HubPidAsync());
    }
}
