using System.Diagnostics;
using Relay.Bench.Infra;
using Relay.Bench.Results;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Cold start as Claude Code sees it: spawn <c>relay mcp</c> → initialize → notifications/initialized → tools/list →
/// relay_peers until the first successful answer. Once with a hub already up (many samples against one hub), and
/// once from nothing, where the channel also starts the hub (a fresh data dir per sample). The first sample of each
/// kind only warms the bench's own code and the page cache, and is dropped.
/// </summary>
internal sealed class ColdStartScenario : IScenario
{
    public string Name => "cold";

    public void Run(BenchContext context, int run)
    {
        var options = context.Options;
        var hubUp = new List<double>();
        var spawnCalls = new List<double>();
        using (var world = new BenchWorld(options))
        {
            world.StartHub();
            for (var i = 0; i <= options.ColdStartSamples; i++)
            {
                var (total, spawn) = StartOnce(world, $"cold-{run}-{i}");
                if (i > 0)
                {
                    hubUp.Add(total);
                    spawnCalls.Add(spawn);
                }
            }
        }

        var withHub = new List<double>();
        for (var i = 0; i <= options.ColdStartWithHubSamples; i++)
        {
            using var world = new BenchWorld(options);
            var (total, _) = StartOnce(world, "first");
            if (world.DiscoverHub() is null)
            {
                throw new BenchFailure("the first channel did not leave a hub answering on its socket");
            }

            if (i > 0)
            {
                withHub.Add(total);
            }
        }

        context.Results.Add(run, "cold.hub_up", Distribution.Median(hubUp));
        context.Results.Add(run, "cold.spawn_call", Distribution.Median(spawnCalls));
        context.Results.Add(run, "cold.with_hub", Distribution.Median(withHub));
        context.Progress($"cold start: hub up {Distribution.Median(hubUp):0.0} ms [{string.Join(' ', hubUp.Select(v => v.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}], " +
            $"incl. hub {Distribution.Median(withHub):0.0} ms [{string.Join(' ', withHub.Select(v => v.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}]");
    }

    /// <summary>One cold start; returns total ms and how long Process.Start itself took.</summary>
    private static (double Total, double Spawn) StartOnce(BenchWorld world, string name)
    {
        var t0 = Stopwatch.GetTimestamp();
        var peer = world.SpawnChannel(name);
        var spawned = Stopwatch.GetTimestamp();
        peer.Initialize(BenchWorld.AnswerTimeout);
        BenchWorld.WaitPeers(peer, 0);
        var t1 = Stopwatch.GetTimestamp();
        world.StopChannel(peer);
        return (BenchContext.Ms(t0, t1), BenchContext.Ms(t0, spawned));
    }
}
