using System.Text.Json;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary><c>relay hub status</c>, <c>stop</c>, <c>restart</c> and the hub's own options, end to end.</summary>
public sealed class HubCommandTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Hub_status_without_a_hub_exits_5_with_one_line_on_stderr()
    {
        await using var sandbox = new RelaySandbox();

        var status = sandbox.StartRelay(["hub", "status"]);

        Assert.Equal(5, await status.WaitForExitAsync(Generous));
        Assert.Equal("", status.Stdout);
        var line = Assert.Single(status.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no hub", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hub_status_shows_the_running_hub_and_hub_stop_leaves_no_process_and_no_socket()
    {
        await using var sandbox = new RelaySandbox();
        var hub = await sandbox.StartHubAsync();

        var text = sandbox.StartRelay(["hub", "status"]);
        Assert.Equal(0, await text.WaitForExitAsync(Generous));
        Assert.Contains($"pid {hub.Pid}", text.Stdout, StringComparison.Ordinal);
        Assert.Contains(sandbox.SocketPath, text.Stdout, StringComparison.Ordinal);

        var json = sandbox.StartRelay(["hub", "status", "--json"]);
        Assert.Equal(0, await json.WaitForExitAsync(Generous));
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            var root = document.RootElement;
            Assert.Equal(hub.Pid, root.GetProperty("pid").GetInt32());
            Assert.Equal(sandbox.SocketPath, root.GetProperty("socket").GetString());
            Assert.Equal(0, root.GetProperty("peer_count").GetInt32());
            Assert.Equal(0, root.GetProperty("pending_asks").GetInt32());
            Assert.Equal(0, root.GetProperty("observers").GetInt32());
            Assert.Equal(1, root.GetProperty("protocol_version").GetInt32());
            Assert.True(root.GetProperty("uptime_ms").GetInt64() >= 0);
        }

        var stop = sandbox.StartRelay(["hub", "stop"]);
        Assert.Equal(0, await stop.WaitForExitAsync(Generous));

        // The hub is this test's child, so it may linger as a zombie until reaped; IsAlive treats that as gone.
        Assert.False(Posix.IsAlive(hub.Pid), "relay hub stop returned before the hub exited");
        Assert.Equal(0, await hub.WaitForExitAsync(Generous));
        Assert.False(Path.Exists(sandbox.SocketPath));
        var after = sandbox.StartRelay(["hub", "stop"]);
        Assert.Equal(0, await after.WaitForExitAsync(Generous));
        Assert.Contains("no hub", after.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hub_restart_replaces_the_running_hub_with_a_detached_one()
    {
        await using var sandbox = new RelaySandbox();
        var old = await sandbox.StartHubAsync();

        var restart = sandbox.StartRelay(["hub", "restart"]);
        Assert.Equal(0, await restart.WaitForExitAsync(Generous));

        Assert.False(Posix.IsAlive(old.Pid));
        var pid = await sandbox.HubPidAsync();
        Assert.NotNull(pid);
        Assert.NotEqual(old.Pid, pid);

        var stop = sandbox.StartRelay(["hub", "stop"]);
        Assert.Equal(0, await stop.WaitForExitAsync(Generous));
        Assert.False(Posix.IsAlive(pid.Value));
        Assert.False(Path.Exists(sandbox.SocketPath));
    }

    [Fact]
    public async Task The_idle_exit_option_takes_a_duration_and_rejects_garbage()
    {
        await using var sandbox = new RelaySandbox(hubIdleExit: TimeSpan.FromHours(1));

        var hub = sandbox.StartRelay(["hub", "--idle-exit", "300ms"]);
        Assert.Equal(0, await hub.WaitForExitAsync(Generous));
        Assert.False(Path.Exists(sandbox.SocketPath));

        var bad = sandbox.StartRelay(["hub", "--idle-exit", "soon"]);
        Assert.NotEqual(0, await bad.WaitForExitAsync(Generous));
        Assert.Contains("--idle-exit", bad.Stderr, StringComparison.Ordinal);
    }
}
