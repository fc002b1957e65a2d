using System.Diagnostics;
using Relay.Bench.Infra;
using Relay.Bench.Results;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Hub restart: 20 real channels (<c>relay mcp</c>, their own reconnect code) on one hub; the hub is SIGKILLed and
/// the clock runs until a new hub (spawned by one of the channels) answers <c>hub_status</c> with all 20 registered
/// again. Several kills per run, one after the other; the figure is their median.
/// </summary>
internal sealed class RestartScenario : IScenario
{
    private const int SIGKILL = 9;

    public string Name => "restart";

    public void Run(BenchContext context, int run)
    {
        var options = context.Options;
        var channels = options.RestartChannels;
        using var world = new BenchWorld(options);
        world.StartHub();
        var peers = world.StartChannels(Enumerable.Range(1, channels).Select(i => $"r{run}-{i}"));
        foreach (var peer in peers)
        {
            BenchWorld.WaitPeers(peer, channels - 1);
        }

        var samples = new List<double>();
        for (var i = 0; i < options.RestartKills; i++)
        {
            var hub = world.DiscoverHub() ?? throw new BenchFailure("no hub answers before the kill");
            var t0 = Stopwatch.GetTimestamp();
            Posix.Signal(hub, SIGKILL);
            WaitAllBack(world, hub, channels);
            samples.Add(BenchContext.Ms(t0, Stopwatch.GetTimestamp()));
            if (!Posix.WaitGone(hub, TimeSpan.FromSeconds(5)))
            {
                throw new BenchFailure($"the killed hub {hub} is still there");
            }
        }

        context.Results.Add(run, "restart.reregistered", Distribution.Median(samples));
        context.Progress($"hub SIGKILL → {channels} channels re-registered: median {Distribution.Median(samples):0.0} ms [{string.Join(' ', samples.Select(v => v.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}]");
    }

    /// <summary>Polls the socket until a hub other than <paramref name="killed"/> reports <paramref name="count"/> peers.</summary>
    private static void WaitAllBack(BenchWorld world, int killed, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var status = Task.Run(async () =>
            {
                try
                {
                    await using var client = await HubClient.ConnectAsync(world.SocketPath).ConfigureAwait(false);
                    return await client.RequestAsync(new HubStatusMessage(), TimeSpan.FromSeconds(2)).ConfigureAwait(false) as HubStatusReplyMessage;
                }
                catch (HubUnreachableException)
                {
                    return null;
                }
            }).GetAwaiter().GetResult();
            if (status is { } reply && reply.Pid != killed && reply.PeerCount >= count)
            {
                world.DiscoverHub();
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BenchFailure($"after the hub SIGKILL, {status?.PeerCount ?? 0} of {count} channels re-registered within 60 s");
            }

            Thread.Sleep(1);
        }
    }
}
