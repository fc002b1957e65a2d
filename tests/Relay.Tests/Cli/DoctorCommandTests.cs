using System.Net.Sockets;
using System.Text.Json;
using Relay.Protocol;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

public sealed class DoctorCommandTests
{
    private static JsonElement Check(CliResult result, string name) =>
        result.Json().GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static string Status(CliResult result, string name) => Check(result, name).GetProperty("status").GetString()!;

    private static IEnumerable<int> Pids(JsonElement check) => check.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32());

    /// <summary>A check's fix without its trailing <c>#</c> comment.</summary>
    private static string FixCommand(JsonElement check) => check.GetProperty("fix").GetString()!.Split("   #")[0];

    /// <summary>
    /// Runs <paramref name="shell"/> (a /bin/sh) that starts the real <c>relay mcp</c> in the background (stdin kept
    /// open through fd 3), prints its pid and then runs <paramref name="then"/>; returns the shell and the mcp pid once
    /// that process runs relay.
    /// </summary>
    private static async Task<(TrackedProcess Parent, int Mcp)> StartMcpUnderAsync(RelaySandbox sandbox, string shell, string then)
    {
        var parent = TrackedProcess.Start(shell, ["-c", "exec 3<&0; \"$0\" mcp <&3 >/dev/null 2>&1 & echo $!; " + then, RelayBinary.Path], sandbox.Env, sandbox.Root);
        sandbox.Track(parent);
        await Poll.UntilAsync(() => parent.Stdout.Length > 0, "the mcp pid");
        var mcp = int.Parse(parent.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);

        // The pid is printed as sh forks; doctor only knows the child as relay mcp once it has exec'd relay.
        await Poll.UntilAsync(() => ProcFs.CommandLine(mcp) is [_, "mcp", ..], "the background shell to exec relay mcp");
        return (parent, mcp);
    }

    /// <summary>Kills a process the sandbox does not track (a started <c>relay mcp</c>) and waits for it to go.</summary>
    private static async Task KillAsync(int pid)
    {
        Posix.Kill(pid, Posix.SIGKILL);
        await Posix.WaitForExitAsync(pid, TimeSpan.FromSeconds(5));
    }

    private static void InstallPlugin(RelaySandbox sandbox)
    {
        var plugins = Path.Combine(sandbox.Home, ".claude", "plugins");
        Directory.CreateDirectory(plugins);
        File.WriteAllText(Path.Combine(plugins, "installed_plugins.json"), """
            {"version":2,"plugins":{"relay@claude-relay":[{"scope":"user","installPath":"/x/relay","version":"0.1.0"}]}}
            """);
        File.WriteAllText(Path.Combine(sandbox.Home, ".claude", "settings.json"), """
            {"enabledPlugins":{"relay@claude-relay":true}}
            """);
    }

    [Fact]
    public async Task Doctor_on_a_healthy_setup_exits_0_and_reports_the_data_dir_and_its_source()
    {
        await using var sandbox = new RelaySandbox();
        var hub = await sandbox.StartHubAsync();
        InstallPlugin(sandbox);

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal(sandbox.DataDir, json.GetProperty("data_dir").GetString());
        Assert.Equal("$CLAUDE_PLUGIN_DATA", json.GetProperty("source").GetString());
        Assert.DoesNotContain(json.GetProperty("checks").EnumerateArray(), c => c.GetProperty("status").GetString() is "fail" or "warn");
        Assert.Equal("ok", Status(result, "hub"));
        Assert.Equal([hub.Pid], Pids(Check(result, "hub")));
        Assert.Equal("ok", Status(result, "plugin installed"));
        Assert.Equal("ok", Status(result, "plugin enabled"));
        Assert.Equal("info", Status(result, "launcher"));
    }

    [Fact]
    public async Task Doctor_without_a_hub_or_plugin_only_warns_and_exits_0()
    {
        await using var sandbox = new RelaySandbox();

        var result = await sandbox.RunAsync(["doctor"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("no hub running", result.Stdout);
        Assert.Matches("(?m)^warn +plugin installed", result.Stdout);
    }

    [Fact]
    public async Task Doctor_detects_a_stale_socket_and_exits_1()
    {
        await using var sandbox = new RelaySandbox();
        Directory.CreateDirectory(sandbox.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Bound, never listening, closed: nothing answers, as after a hub crash. .NET deletes the file it bound
            // on dispose, so the socket file is moved into place first.
            var bound = sandbox.SocketPath + ".tmp";
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, sandbox.SocketPath);
        }

        File.SetUnixFileMode(sandbox.SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("fail", Status(result, "stale socket"));
        Assert.Equal($"rm {sandbox.SocketPath}", FixCommand(Check(result, "stale socket")));
    }

    [Fact]
    public async Task Doctor_detects_wrong_permissions_on_the_data_dir_and_the_socket()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        File.SetUnixFileMode(sandbox.DataDir, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(sandbox.SocketPath, (UnixFileMode)Convert.ToInt32("666", 8));

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("fail", Status(result, "data dir"));
        Assert.Equal($"chmod 700 {sandbox.DataDir}", Check(result, "data dir").GetProperty("fix").GetString());
        Assert.Equal("fail", Status(result, "socket permissions"));
        Assert.Equal($"chmod 600 {sandbox.SocketPath}", Check(result, "socket permissions").GetProperty("fix").GetString());
    }

    [Fact]
    public async Task Doctor_detects_a_hub_of_another_protocol_version()
    {
        await using var sandbox = new RelaySandbox();
        await using var fake = FakeHub.OtherProtocol(sandbox.SocketPath, ProtocolVersion.Current + 1);

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.Equal(1, result.ExitCode);
        var hub = Check(result, "hub");
        Assert.Equal("fail", hub.GetProperty("status").GetString());
        Assert.Contains($"speaks protocol {ProtocolVersion.Current + 1}", hub.GetProperty("message").GetString());
        Assert.Equal($"kill {Environment.ProcessId}", FixCommand(hub));
    }

    [Fact]
    public async Task Doctor_detects_a_hub_that_refuses_this_protocol_without_knowing_hub_status()
    {
        await using var sandbox = new RelaySandbox();
        await using var fake = new FakeHub(sandbox.SocketPath, message => message is Relay.Protocol.Messages.WatchMessage
            ? new Relay.Protocol.Messages.ErrMessage { Code = ErrorCodes.ProtocolMismatch, Message = "protocol 0 only" }
            : new Relay.Protocol.Messages.ErrMessage { Code = ErrorCodes.BadMsg, Message = "unknown type" });

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("fail", Status(result, "hub"));
        Assert.Contains("protocol 0 only", Check(result, "hub").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Doctor_reports_an_orphaned_relay_mcp_process_with_a_kill_fix()
    {
        await using var sandbox = new RelaySandbox();
        // After starting `relay mcp`, sh becomes sleep.
        var (parent, mcp) = await StartMcpUnderAsync(sandbox, "/bin/sh", "exec sleep 600");
        try
        {
            // Stopped, it cannot notice its parent is gone and exit: it stays an orphan until the test kills it.
            Assert.True(Posix.Kill(mcp, Posix.SIGSTOP));
            var underShell = await sandbox.RunAsync(["doctor", "--json"]);
            Assert.Equal("warn", Status(underShell, "mcp processes"));
            Assert.Equal([mcp], Pids(Check(underShell, "mcp processes")));

            parent.Signal(Posix.SIGKILL);
            await parent.WaitForExitAsync();
            await Poll.UntilAsync(() => ProcFs.ParentOf(mcp) != parent.Pid, "the mcp process to be re-parented");
            var orphaned = await sandbox.RunAsync(["doctor", "--json"]);

            var check = Check(orphaned, "mcp processes");
            Assert.Equal(ProcFs.ParentOf(mcp) == 1 ? "fail" : "warn", check.GetProperty("status").GetString());
            Assert.Equal($"kill {mcp}", FixCommand(check));
            Assert.Equal([mcp], Pids(check));
        }
        finally
        {
            await KillAsync(mcp);
        }
    }

    [Fact]
    public async Task Doctor_accepts_a_relay_mcp_process_whose_parent_is_claude()
    {
        await using var sandbox = new RelaySandbox();
        // A shell under the name "claude" stands in for Claude Code: /proc shows comm "claude" for it.
        var claude = Path.Combine(sandbox.Root, "claude");
        File.CreateSymbolicLink(claude, "/bin/sh");
        var (_, mcp) = await StartMcpUnderAsync(sandbox, claude, "wait");
        try
        {
            var result = await sandbox.RunAsync(["doctor", "--json"]);

            var check = Check(result, "mcp processes");
            Assert.Equal("ok", check.GetProperty("status").GetString());
            Assert.Contains("1 relay mcp process", check.GetProperty("message").GetString());
        }
        finally
        {
            await KillAsync(mcp);
        }
    }

    [Fact]
    public async Task Doctor_checks_the_plugin_install_and_shows_what_the_launcher_says_of_its_binary()
    {
        await using var sandbox = new RelaySandbox();
        InstallPlugin(sandbox);
        File.WriteAllText(Path.Combine(sandbox.Home, ".claude", "settings.json"), """{"enabledPlugins":{"relay@claude-relay":false}}""");
        // The install record points at a plugin whose launcher answers --launcher-status with the line in "state"
        // (the real launcher's answers are covered by LauncherTests).
        var plugins = Path.Combine(sandbox.Home, ".claude", "plugins");
        var installPath = Path.Combine(sandbox.Root, "plugin");
        Directory.CreateDirectory(Path.Combine(installPath, "bin"));
        var state = Path.Combine(installPath, "state");
        File.WriteAllText(Path.Combine(installPath, "bin", "relay"), $"#!/bin/sh\n# relay launcher (test stand-in)\n[ \"$1\" = --launcher-status ] && cat {state}\n");
        File.WriteAllText(Path.Combine(plugins, "installed_plugins.json"), $$$"""{"version":2,"plugins":{"relay@claude-relay":[{"scope":"user","installPath":"{{{installPath}}}"}]}}""");
        Directory.CreateDirectory(sandbox.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var results = new Dictionary<string, CliResult>();
        foreach (var line in new[] { "current /p/artifacts/launcher/relay (stamp s-1)", "building /p/artifacts/launcher/relay (log: /p/build.log)", "failed /p/artifacts/launcher/relay: the build failed: error X", "missing /p/artifacts/launcher/relay (not built yet)", "gibberish" })
        {
            File.WriteAllText(state, line + "\n");
            results[line.Split(' ')[0]] = await sandbox.RunAsync(["doctor", "--json"]);
        }

        Assert.Equal("warn", Status(results["current"], "plugin enabled"));
        Assert.Equal("claude plugin enable relay@claude-relay", Check(results["current"], "plugin enabled").GetProperty("fix").GetString());
        Assert.Equal("ok", Status(results["current"], "plugin installed"));
        Assert.True(results["current"].ExitCode == 0, results["current"].ToString());
        Assert.Equal("ok", Status(results["current"], "launcher"));
        Assert.Contains("runs /p/artifacts/launcher/relay (stamp s-1)", Check(results["current"], "launcher").GetProperty("message").GetString());
        Assert.Equal("info", Status(results["building"], "launcher"));
        Assert.Equal(1, results["failed"].ExitCode);
        Assert.Equal("fail", Status(results["failed"], "launcher"));
        Assert.Contains("the build failed: error X", Check(results["failed"], "launcher").GetProperty("message").GetString());
        Assert.Equal(Path.Combine(installPath, "bin", "relay") + " --launcher-build", Check(results["failed"], "launcher").GetProperty("fix").GetString());
        Assert.Equal("warn", Status(results["missing"], "launcher"));
        Assert.Equal("warn", Status(results["gibberish"], "launcher"));
    }

    [Fact]
    public async Task Doctor_fails_when_the_log_folder_cannot_be_written()
    {
        await using var sandbox = new RelaySandbox();
        Directory.CreateDirectory(sandbox.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Root ignores permissions, so a file where the folder belongs is the portable way to make logs unwritable.
        File.WriteAllText(Path.Combine(sandbox.DataDir, "logs"), string.Empty);

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("fail", Status(result, "log dir"));
    }

    [Fact]
    public async Task Doctor_warns_when_another_relay_data_dir_has_a_live_hub()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        var fallback = Path.Combine(sandbox.Home, ".claude-relay");
        var other = sandbox.StartRelay(["hub", "--data-dir", fallback]);
        await Poll.UntilAsync(async () => await HubStatusProbe.QueryAsync(Path.Combine(fallback, "hub.sock")) is not null, "the other hub to answer");

        var result = await sandbox.RunAsync(["doctor", "--json"]);

        var check = Check(result, "other data dirs");
        Assert.Equal("warn", check.GetProperty("status").GetString());
        Assert.Contains(fallback, check.GetProperty("message").GetString());
        Assert.True(check.TryGetProperty("pids", out _), check.ToString());
        Assert.Equal([other.Pid], Pids(check));
    }
}
