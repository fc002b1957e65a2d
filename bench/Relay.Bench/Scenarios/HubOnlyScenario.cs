using Relay.Bench.Infra;
using Relay.Bench.Results;
using Relay.Protocol.Messages;

namespace Relay.Bench.Scenarios;

/// <summary>
/// The hub alone: two raw Unix-socket peers X and Y (blocking reader threads, no MCP, no channel). Y answers every
/// incoming_ask at once. Figures: hub hop (X's ask written → Y has incoming_ask), hub round trip (→ X has
/// incoming_reply), and asks/s with 8 outstanding.
/// </summary>
internal sealed class HubOnlyScenario : IScenario
{
    public string Name => "hubonly";

    public void Run(BenchContext context, int run)
    {
        var options = context.Options;
        using var world = new BenchWorld(options);
        world.StartHub();
        var hop = new long[RawAsker.MaxTracked];
        using var asker = new RawAsker("hub only", "h");
        using var y = RawHubPeer.Connect(world.SocketPath, "hub-y", (peer, message, ts) =>
        {
            if (message is IncomingAskMessage ask)
            {
                hop[RawAsker.SeqOf(ask.AskId)] = ts;
                peer.Send(new ReplyMessage { AskId = ask.AskId, Text = Messages.Reply(0) });
            }
        });
        using var x = RawHubPeer.Connect(world.SocketPath, "hub-x", asker.OnMessage);
        string Errors() => $"x: {x.LastError}, y: {y.LastError}";

        var hops = new List<double>();
        var rtDist = asker.Sequential(x, "hub-y", options.Warmup, options.HubOnlyAsks, Errors, (seq, t0) => hops.Add(BenchContext.Ms(t0, hop[seq])));
        var hopDist = Distribution.Of(hops);
        context.Results.AddDistribution(run, "hubonly.hop", hopDist);
        context.Results.AddDistribution(run, "hubonly.rt", rtDist);
        context.Results.Add(run, "hubonly.hop_p50", hopDist.P50);
        context.Results.Add(run, "hubonly.hop_p99", hopDist.P99);
        context.Results.Add(run, "hubonly.rt_p50", rtDist.P50);

        var rate = asker.Throughput(x, "hub-y", options.ThroughputWindow, Errors);
        context.Results.Add(run, "hubonly.asks_per_s", rate);
        context.Progress($"hub only: hop p50 {hopDist.P50:0.000} p99 {hopDist.P99:0.000} ms, round trip p50 {rtDist.P50:0.000} ms, {rate:0} asks/s with {BenchOptions.Outstanding} outstanding");
    }
}
