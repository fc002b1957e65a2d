using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>What relay leaves behind when real Claude Code sessions end: no channel processes, and a hub that goes.</summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class SessionLifecycleTests
{
    [ClaudeFact]
    public async Task Ended_sessions_leave_no_channel_behind_and_the_idle_hub_exits()
    {
        await using var world = new ClaudeWorld(hubIdleExit: TimeSpan.FromSeconds(2));
        await world.InstallPluginAsync();
        var alpha = world.StartSession("alpha", ScriptedPeer.Brain());
        var bravo = world.StartSession("bravo", ScriptedPeer.Brain());
        await world.GreetAsync(alpha, bravo);
        var channels = new[] { alpha, bravo }.Select(s => Assert.Single(s.ChannelPids())).ToList();
        var hub = await world.HubPidAsync();
        Assert.NotNull(hub);
        Assert.DoesNotContain(hub.Value, channels);

        alpha.CloseInput();
        bravo.CloseInput();
        Assert.Equal(0, await alpha.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await bravo.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        foreach (var channel in channels)
        {
            Assert.True(await Posix.WaitForExitAsync(channel, TimeSpan.FromSeconds(10)), $"channel {channel} ({string.Join(' ', ProcFs.CommandLine(channel))}) outlived its session");
        }

        Assert.True(await Posix.WaitForExitAsync(hub.Value, TimeSpan.FromSeconds(30)), $"hub {hub} did not exit after its 2 s idle window");
    }
}
