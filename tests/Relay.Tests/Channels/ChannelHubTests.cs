using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

public sealed class ChannelHubTests
{
    [Fact]
    public async Task After_the_hub_is_killed_the_channels_start_a_new_one_and_keep_their_names()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "alice", "bob");
        var names = await Task.WhenAll(group.Channels.Select(c => c.NameAsync()));
        Assert.Equal(["alice", "alice-2", "bob"], names.Order(StringComparer.Ordinal));
        var firstHub = await sandbox.HubPidAsync();
        Assert.NotNull(firstHub);

        Posix.Kill(firstHub.Value, Posix.SIGKILL);
        Assert.True(await Posix.WaitForExitAsync(firstHub.Value, TimeSpan.FromSeconds(5)));

        foreach (var channel in group.Channels)
        {
            await Poll.ForAsync(
                () => channel.CallAsync("relay_peers"),
                r => r.Ok && r.Json.GetProperty("peers").GetArrayLength() == 2,
                TimeSpan.FromSeconds(15),
                "the channel to reconnect and see both others");
        }

        var after = await Task.WhenAll(group.Channels.Select(c => c.NameAsync()));
        Assert.Equal(names, after);
        var secondHub = await sandbox.HubPidAsync();
        Assert.NotNull(secondHub);
        Assert.NotEqual(firstHub, secondHub);

        // Traffic flows through the new hub.
        var bob = group.Channels[Array.IndexOf(after, "bob")];
        var alice = group.Channels[Array.IndexOf(after, "alice")];
        Assert.True((await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "back?" })).Ok);
        Assert.Equal("back?", (await bob.NextNotificationAsync()).Content);
    }

    [Fact]
    public async Task Eight_channels_started_at_once_share_one_hub()
    {
        await using var sandbox = new RelaySandbox();
        var dirs = Enumerable.Range(1, 8).Select(i => sandbox.WorkDir("peer" + i)).ToList();
        await using var group = await ChannelGroup.StartAsync(sandbox, dirs);

        foreach (var channel in group.Channels)
        {
            var peers = await Poll.ForAsync(
                () => channel.CallAsync("relay_peers"),
                r => r.Ok && r.Json.GetProperty("peers").GetArrayLength() == 7,
                TimeSpan.FromSeconds(10),
                "every channel to see the seven others");
            Assert.Equal(7, peers.Json.GetProperty("peers").GetArrayLength());
        }

        Assert.NotNull(await sandbox.HubPidAsync());
        await Poll.ForAsync(
            () => Task.FromResult(ProcFs.LiveProcessesWhere(args => args.Contains("hub") && args.Contains(sandbox.DataDir)).Count),
            count => count == 1,
            TimeSpan.FromSeconds(10),
            "exactly one hub process for the data dir");
    }
}
