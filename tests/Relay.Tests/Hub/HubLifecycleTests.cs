using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary>One hub per socket path, stale sockets, idle exit, signals, permissions and detaching.</summary>
public sealed class HubLifecycleTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sixteen_hubs_started_at_once_leave_exactly_one_listening_and_the_others_exit_0()
    {
        await using var sandbox = new RelaySandbox();
        var hubs = Enumerable.Range(0, 16).Select(_ => sandbox.StartRelay(["hub"])).ToList();

        await Poll.UntilAsync(() => hubs.Count(h => h.HasExited) >= 15, "15 of 16 hubs to exit", Generous);
        await sandbox.WaitForSocketAsync();

        var survivor = Assert.Single(hubs, h => !h.HasExited);
        Assert.All(hubs.Where(h => h != survivor), h => Assert.Equal(0, h.Process.ExitCode));
        Assert.Equal(survivor.Pid, await sandbox.HubPidAsync());
    }

    [Fact]
    public async Task A_stale_socket_and_lock_file_left_by_a_crashed_hub_are_replaced()
    {
        await using var sandbox = new RelaySandbox();
        var crashed = await sandbox.StartHubAsync();
        crashed.Signal(Posix.SIGKILL);
        await crashed.WaitForExitAsync(Generous);
        Assert.True(Path.Exists(sandbox.SocketPath), "SIGKILL leaves the socket file behind");
        Assert.True(File.Exists(sandbox.SocketPath + ".lock"));
        Assert.False(await sandbox.CanConnectAsync());

        var hub = await sandbox.StartHubAsync();

        Assert.Equal(hub.Pid, await sandbox.HubPidAsync());
    }

    [Fact]
    public async Task A_live_hubs_socket_is_never_stolen_by_a_second_hub()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        var second = world.Sandbox.StartRelay(["hub"]);
        Assert.Equal(0, await second.WaitForExitAsync(Generous));

        Assert.Equal(world.Hub.Pid, await world.Sandbox.HubPidAsync());
        Assert.Single((await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers);
    }

    [Fact]
    public async Task A_hub_with_only_an_observer_exits_after_the_idle_time_and_removes_its_socket()
    {
        await using var world = await HubWorld.StartAsync(idleExit: TimeSpan.FromSeconds(2));
        var observer = await world.ConnectAsync();
        await observer.RequestAsync<AckMessage>(new WatchMessage { ProtocolVersion = ProtocolVersion.Current });

        Assert.Equal(0, await world.Hub.WaitForExitAsync(Generous));

        Assert.False(File.Exists(world.SocketPath));
        Assert.True(await observer.WaitClosedAsync());
        Assert.Contains(HubLogEvents.HubIdle, await world.Sandbox.ReadLogsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connected_peer_keeps_the_hub_alive_and_it_exits_after_the_last_peer_leaves()
    {
        var idle = TimeSpan.FromSeconds(2);
        await using var world = await HubWorld.StartAsync(idleExit: idle);
        var alice = await world.PeerAsync("alice");

        // Longer than the idle time: the timer must not fire while a peer is registered.
        await Task.Delay(idle * 2);
        Assert.False(world.Hub.HasExited);
        Assert.Equal(1, (await alice.RequestAsync<HubStatusReplyMessage>(new HubStatusMessage())).PeerCount);

        alice.Close();
        Assert.Equal(0, await world.Hub.WaitForExitAsync(Generous));
        Assert.False(File.Exists(world.SocketPath));
    }

    [Theory]
    [InlineData(Posix.SIGTERM)]
    [InlineData(Posix.SIGINT)]
    public async Task A_signal_makes_the_hub_remove_its_socket_and_exit_0(int signal)
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        world.Hub.Signal(signal);

        Assert.Equal(0, await world.Hub.WaitForExitAsync(Generous));
        Assert.False(File.Exists(world.SocketPath));
        Assert.True(await alice.WaitClosedAsync());
        var logs = await world.Sandbox.ReadLogsAsync();
        Assert.Contains(HubLogEvents.HubStop, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_socket_is_0600_and_the_data_dir_0700()
    {
        await using var world = await HubWorld.StartAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(world.SocketPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(world.Sandbox.DataDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(world.SocketPath + ".lock"));
        Assert.Empty(Directory.GetFiles(world.Sandbox.DataDir, "*.new"));
    }

    [Fact]
    public async Task A_detached_hub_runs_in_its_own_session_with_stdio_on_dev_null()
    {
        await using var sandbox = new RelaySandbox();
        var hub = sandbox.StartRelay(["hub", "--detach"]);
        await sandbox.WaitForSocketAsync(hub);

        Assert.Equal(hub.Pid, await sandbox.HubPidAsync());
        Assert.Equal(hub.Pid, ProcFs.SessionOf(hub.Pid));
        Assert.NotEqual(ProcFs.SessionOf(Environment.ProcessId), ProcFs.SessionOf(hub.Pid));
        for (var fd = 0; fd <= 2; fd++)
        {
            Assert.Equal("/dev/null", new FileInfo($"/proc/{hub.Pid}/fd/{fd}").LinkTarget);
        }
    }

    [Fact]
    public async Task A_hub_spawned_by_relay_hub_restart_outlives_the_command_that_started_it()
    {
        await using var sandbox = new RelaySandbox();
        var restart = sandbox.StartRelay(["hub", "restart"]);
        Assert.Equal(0, await restart.WaitForExitAsync(Generous));

        var pid = await sandbox.HubPidAsync();

        Assert.NotNull(pid);
        Assert.True(Posix.IsAlive(pid.Value));
        Assert.Equal(pid.Value, ProcFs.SessionOf(pid.Value));
        Assert.NotEqual(restart.Pid, ProcFs.ParentOf(pid.Value));
        Assert.Contains($"pid {pid}", restart.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hub_status_reports_pid_socket_protocol_uptime_peers_pending_asks_and_observers()
    {
        var before = DateTimeOffset.UtcNow;
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        await world.PeerAsync("bob");
        var observer = await world.ConnectAsync();
        await observer.RequestAsync<AckMessage>(new WatchMessage { ProtocolVersion = ProtocolVersion.Current });
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1" });

        var status = await (await world.ConnectAsync()).RequestAsync<HubStatusReplyMessage>(new HubStatusMessage());

        Assert.Equal(world.Hub.Pid, status.Pid);
        Assert.Equal(world.SocketPath, status.Socket);
        Assert.Equal(ProtocolVersion.Current, status.ProtocolVersion);
        Assert.Equal((2, 1, 1), (status.PeerCount, status.PendingAsks, status.Observers));
        var after = DateTimeOffset.UtcNow;
        // The hub started within this test, and its uptime is the time since then, on a clock that moves.
        Assert.InRange(status.StartedAt, before, after);
        Assert.InRange(status.UptimeMs, 0, (long)(after - status.StartedAt).TotalMilliseconds + 50);
        await Task.Delay(300);
        var later = await (await world.ConnectAsync()).RequestAsync<HubStatusReplyMessage>(new HubStatusMessage());
        Assert.Equal(status.StartedAt, later.StartedAt);
        Assert.True(later.UptimeMs - status.UptimeMs >= 290, $"uptime went from {status.UptimeMs} to {later.UptimeMs} ms across a 300 ms wait");
        Assert.False(string.IsNullOrEmpty(status.Version));
    }
}
