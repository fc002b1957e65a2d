using System.Text.Json;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

/// <summary><c>relay doctor</c>'s per-session checks, against fake Claude Code sessions backed by real processes.</summary>
public sealed class DoctorSessionTests
{
    private static JsonElement Session(CliResult result, string name) =>
        result.Json().GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "session " + name);

    private static string Text(JsonElement element, string property) => element.GetProperty(property).GetString()!;

    private static string UserSettings(RelaySandbox sandbox) => Path.Combine(sandbox.Home, ".claude", "settings.json");

    private static void WriteUserSettings(RelaySandbox sandbox, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(UserSettings(sandbox))!);
        File.WriteAllText(UserSettings(sandbox), json);
    }

    [Fact]
    public async Task A_session_started_with_relay_as_a_channel_is_reached_by_channel()
    {
        await using var sandbox = new RelaySandbox();
        await using var alice = await FakeClaudeSession.StartAsync(sandbox, "alice", ["--channels", "plugin:relay@claude-relay"], withChannel: true, withInbox: true);

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        var check = Session(result, "alice");
        Assert.Equal("ok", Text(check, "status"));
        Assert.Equal($"pid {alice.Pid}, {alice.Cwd}, Claude Code 2.1.332: channel (started with relay as a channel)", Text(check, "message"));
        var session = check.GetProperty("session");
        Assert.Equal("channel", Text(session, "path"));
        Assert.Equal(alice.McpPid, session.GetProperty("mcp_pid").GetInt32());
        Assert.True(session.GetProperty("channel_flag").GetBoolean());
        Assert.Equal([alice.Pid], check.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));
    }

    [Fact]
    public async Task A_plugin_session_with_an_inbox_that_refuses_is_explained_with_a_fix()
    {
        await using var sandbox = new RelaySandbox();
        WriteUserSettings(sandbox, """{"crossSessionInbound":"refuse"}""");
        await using var bob = await FakeClaudeSession.StartAsync(sandbox, "bob", [], withChannel: true, withInbox: true);

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var check = Session(result, "bob");
        Assert.Equal("warn", Text(check, "status"));
        Assert.Equal($"pid {bob.Pid}, {bob.Cwd}, Claude Code 2.1.332: inbox via its relay channel; crossSessionInbound is refuse ({UserSettings(sandbox)}): refuses relay asks; askers get `refused`", Text(check, "message"));
        Assert.Equal($"set \"crossSessionInbound\" to \"accept\" in {UserSettings(sandbox)}", Text(check, "fix"));
        var session = check.GetProperty("session");
        Assert.Equal(("inbox", "relay channel", "refuse"), (Text(session, "path"), Text(session, "via"), Text(session, "cross_session_inbound")));
    }

    [Fact]
    public async Task A_native_session_held_by_its_project_or_by_bypass_mode_warns_but_doctor_exits_0()
    {
        await using var sandbox = new RelaySandbox();
        WriteUserSettings(sandbox, "{}");
        await using var carol = await FakeClaudeSession.StartAsync(sandbox, "carol", [], withChannel: false, withInbox: true);
        Directory.CreateDirectory(Path.Combine(carol.Cwd, ".claude"));
        var local = Path.Combine(carol.Cwd, ".claude", "settings.local.json");
        File.WriteAllText(local, """{"crossSessionInbound":"hold"}""");
        await using var dave = await FakeClaudeSession.StartAsync(sandbox, "dave", ["-p", "--permission-mode", "bypassPermissions"], withChannel: false, withInbox: true);

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var held = Session(result, "carol");
        Assert.Equal("warn", Text(held, "status"));
        Assert.Equal($"pid {carol.Pid}, {carol.Cwd}, Claude Code 2.1.332: inbox via the hub (no relay plugin in this session); crossSessionInbound is hold ({local}): asks wait for the user's approval in that terminal", Text(held, "message"));
        Assert.Equal($"remove \"crossSessionInbound\" from {local} (a project setting can only tighten; {UserSettings(sandbox)} decides otherwise)", Text(held, "fix"));
        Assert.Equal(("inbox", "hub"), (Text(held.GetProperty("session"), "path"), Text(held.GetProperty("session"), "via")));

        var bypass = Session(result, "dave");
        Assert.Equal("warn", Text(bypass, "status"));
        Assert.EndsWith("inbox via the hub (no relay plugin in this session); runs in bypassPermissions mode (--permission-mode bypassPermissions): holds relay asks until you approve them in that terminal; it runs with -p, so held asks expire when it exits", Text(bypass, "message"));
        Assert.StartsWith("run it in a prompting mode (without --permission-mode bypassPermissions) or approve held messages in that terminal", Text(bypass, "fix"));
        Assert.Equal("bypassPermissions", Text(bypass.GetProperty("session"), "permission_mode"));
    }

    [Fact]
    public async Task A_settings_flag_on_the_command_line_beats_user_settings()
    {
        await using var sandbox = new RelaySandbox();
        WriteUserSettings(sandbox, """{"crossSessionInbound":"accept"}""");
        await using var erin = await FakeClaudeSession.StartAsync(sandbox, "erin", ["--settings", """{"crossSessionInbound":"refuse"}"""], withChannel: false, withInbox: true);

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        var check = Session(result, "erin");
        Assert.Equal("warn", Text(check, "status"));
        Assert.Contains("crossSessionInbound is refuse (--settings JSON)", Text(check, "message"));
        Assert.Equal("restart the session without \"crossSessionInbound\" in its --settings JSON", Text(check, "fix"));
    }

    [Fact]
    public async Task Sessions_without_an_inbox_pull_or_are_unreachable()
    {
        await using var sandbox = new RelaySandbox();
        await using var frank = await FakeClaudeSession.StartAsync(sandbox, "frank", [], withChannel: true, withInbox: false, version: "2.1.197");
        await using var gina = await FakeClaudeSession.StartAsync(sandbox, "gina", [], withChannel: false, withInbox: false, version: "2.1.197");

        var result = await sandbox.RunAsync(["doctor"]);
        var json = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches($"(?m)^info +session frank +pid {frank.Pid}, .*: pull only \\(no inbox: Claude Code 2\\.1\\.197 is older than 2\\.1\\.224\\) — the model must call relay_inbox$", result.Stdout);
        Assert.Matches($"(?m)^warn +session gina +pid {gina.Pid}, .*: unreachable \\(no relay plugin and no inbox: Claude Code 2\\.1\\.197 is older than 2\\.1\\.224\\)$", result.Stdout);
        Assert.Contains("fix: claude plugin install relay@claude-relay, then restart the session with --channels plugin:relay@claude-relay, or upgrade Claude Code to 2.1.224 or later", result.Stdout);
        Assert.Equal("pull", Text(Session(json, "frank").GetProperty("session"), "path"));
        Assert.Equal("unreachable", Text(Session(json, "gina").GetProperty("session"), "path"));
    }

    [Fact]
    public async Task Stale_records_are_skipped_and_no_sessions_is_only_info()
    {
        await using var sandbox = new RelaySandbox();
        var sessions = Path.Combine(sandbox.Home, ".claude", "sessions");
        Directory.CreateDirectory(sessions);
        // A pid that is not running (or runs with another start time): a crashed session's leftover.
        File.WriteAllText(Path.Combine(sessions, "999999999.json"), """{"pid":999999999,"procStart":"1","name":"ghost"}""");
        File.WriteAllText(Path.Combine(sessions, $"{Environment.ProcessId}.json"), $$"""{"pid":{{Environment.ProcessId}},"procStart":"1","name":"recycled"}""");

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        var checks = result.Json().GetProperty("checks").EnumerateArray().ToList();
        Assert.DoesNotContain(checks, c => c.GetProperty("name").GetString()!.StartsWith("session ", StringComparison.Ordinal));
        var none = checks.Single(c => c.GetProperty("name").GetString() == "claude sessions");
        Assert.Equal("info", Text(none, "status"));
    }
}
