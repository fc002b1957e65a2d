using System.Diagnostics;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

public sealed class ChannelLifecycleTests
{
    [Fact]
    public async Task Stdin_EOF_stops_the_channel_within_a_second_and_the_peer_leaves()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "bob");
        var (alice, bob) = group;

        var stopwatch = Stopwatch.StartNew();
        bob.CloseStdin();
        Assert.True(await bob.WaitForExitAsync(TimeSpan.FromSeconds(5)), "the channel did not exit on stdin EOF");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"exit took {stopwatch.ElapsedMilliseconds} ms");

        // bob's connection is gone: relay_peers lists it only as away (its session may be resumed; asks to it are held
        // until away_until), never as live again.
        var listed = await Poll.ForAsync(
            () => alice.CallAsync("relay_peers"),
            r => r.Ok && r.Json.GetProperty("peers").EnumerateArray().All(p => p.TryGetProperty("away_until", out _)),
            TimeSpan.FromSeconds(5),
            "bob to leave the hub");
        var away = Assert.Single(listed.Json.GetProperty("peers").EnumerateArray());
        Assert.Equal(("bob", 0), (away.GetProperty("name").GetString(), away.GetProperty("held_asks").GetInt32()));
    }

    [Theory]
    [InlineData(Posix.SIGINT)]
    [InlineData(Posix.SIGTERM)]
    public async Task A_termination_signal_stops_the_channel_within_a_second(int signal)
    {
        await using var sandbox = new RelaySandbox();
        await using var channel = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"));
        await channel.NameAsync();

        var stopwatch = Stopwatch.StartNew();
        channel.Signal(signal);
        Assert.True(await channel.WaitForExitAsync(TimeSpan.FromSeconds(5)), "the channel ignored the signal");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"exit took {stopwatch.ElapsedMilliseconds} ms; stderr: {channel.Stderr}");
    }

    [Fact]
    public async Task The_channel_exits_when_its_parent_is_killed_even_with_stdin_still_open()
    {
        await using var sandbox = new RelaySandbox();
        // sh starts the channel in the background on a copy of sh's stdin (a pipe this test keeps open), prints its
        // pid and waits. Killing sh leaves the channel's stdin and stdout open: only the parent watch can stop it.
        var env = new Dictionary<string, string?>(sandbox.Env);
        await using var parent = TrackedProcess.Start(
            "/bin/sh",
            ["-c", "exec 3<&0; \"$0\" mcp <&3 3<&- & echo $!; wait", RelayBinary.Path],
            env,
            sandbox.WorkDir("orphan"));
        var pidLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        parent.StdoutLine += line => pidLine.TrySetResult(line);
        if (parent.Stdout.Length > 0)
        {
            pidLine.TrySetResult(parent.Stdout.Split('\n')[0]);
        }

        var channelPid = int.Parse((await pidLine.Task.WithTimeout(what: "the channel pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // Wait until the channel is up (registered on the hub), so the kill does not race its startup.
            await using var observer = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("observer"));
            await Poll.ForAsync(
                () => observer.CallAsync("relay_peers"),
                r => r.Ok && r.Json.GetProperty("peers").GetArrayLength() == 1,
                TimeSpan.FromSeconds(10),
                "the orphan-to-be to register");

            var stopwatch = Stopwatch.StartNew();
            parent.Signal(Posix.SIGKILL);
            Assert.True(await Posix.WaitForExitAsync(channelPid, TimeSpan.FromSeconds(6)), "the channel outlived its parent by more than 6 s");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(6));
        }
        finally
        {
            Posix.Kill(channelPid, Posix.SIGKILL);
        }
    }
}
