using System.Diagnostics;
using System.Globalization;
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
    private const int MaxTracked = 1 << 16;

    public string Name => "hubonly";

    public void Run(BenchContext context, int run)
    {
        var options = context.Options;
        using var world = new BenchWorld(options);
        world.StartHub();
        var sent = new long[MaxTracked];
        var hop = new long[MaxTracked];
        using var replied = new Arrival();
        var pipelined = false;
        var completed = 0;
        var windowOpen = false;
        var nextSeq = 0;
        using var drained = new ManualResetEventSlim(false, spinCount: 0);
        var inFlight = 0;

        RawHubPeer? x = null;
        using var y = RawHubPeer.Connect(world.SocketPath, "hub-y", (peer, message, ts) =>
        {
            if (message is IncomingAskMessage ask)
            {
                hop[SeqOf(ask.AskId)] = ts;
                peer.Send(new ReplyMessage { AskId = ask.AskId, Text = Messages.Reply(0) });
            }
        });
        using var xPeer = RawHubPeer.Connect(world.SocketPath, "hub-x", (peer, message, ts) =>
        {
            if (message is not IncomingReplyMessage)
            {
                return;
            }

            if (!Volatile.Read(ref pipelined))
            {
                replied.Arrived(ts);
                return;
            }

            Interlocked.Increment(ref completed);
            if (Volatile.Read(ref windowOpen))
            {
                SendAsk(peer, Interlocked.Increment(ref nextSeq) % MaxTracked);
            }
            else if (Interlocked.Decrement(ref inFlight) == 0)
            {
                drained.Set();
            }
        });
        x = xPeer;

        void SendAsk(RawHubPeer peer, int seq) => peer.Send(new AskMessage { To = "hub-y", AskId = "h" + seq.ToString(CultureInfo.InvariantCulture), Question = Messages.Question(seq) });

        var hops = new List<double>();
        var roundTrips = new List<double>();
        for (var i = 0; i < options.Warmup + options.HubOnlyAsks; i++)
        {
            var seq = Interlocked.Increment(ref nextSeq) % MaxTracked;
            var t0 = Stopwatch.GetTimestamp();
            sent[seq] = t0;
            SendAsk(x, seq);
            var t1 = replied.Wait(TimeSpan.FromSeconds(10)) ?? throw new BenchFailure($"hub only: no incoming_reply for ask {seq}; x: {x.LastError}, y: {y.LastError}");
            if (i >= options.Warmup)
            {
                hops.Add(BenchContext.Ms(t0, hop[seq]));
                roundTrips.Add(BenchContext.Ms(t0, t1));
            }
        }

        var hopDist = Distribution.Of(hops);
        var rtDist = Distribution.Of(roundTrips);
        context.Results.AddDistribution(run, "hubonly.hop", hopDist);
        context.Results.AddDistribution(run, "hubonly.rt", rtDist);
        context.Results.Add(run, "hubonly.hop_p50", hopDist.P50);
        context.Results.Add(run, "hubonly.hop_p99", hopDist.P99);
        context.Results.Add(run, "hubonly.rt_p50", rtDist.P50);

        // Throughput: every reply sends the next ask while the window is open; the in-flight count drains after it.
        Volatile.Write(ref pipelined, true);
        Volatile.Write(ref windowOpen, true);
        inFlight = BenchOptions.Outstanding;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < BenchOptions.Outstanding; i++)
        {
            SendAsk(x, Interlocked.Increment(ref nextSeq) % MaxTracked);
        }

        Thread.Sleep(options.ThroughputWindow);
        var done = Volatile.Read(ref completed);
        var elapsed = clock.Elapsed;
        Volatile.Write(ref windowOpen, false);
        if (!drained.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new BenchFailure($"hub only: asks did not drain; x: {x.LastError}, y: {y.LastError}");
        }

        var rate = done / elapsed.TotalSeconds;
        context.Results.Add(run, "hubonly.asks_per_s", rate);
        context.Progress($"hub only: hop p50 {hopDist.P50:0.000} p99 {hopDist.P99:0.000} ms, round trip p50 {rtDist.P50:0.000} ms, {rate:0} asks/s with {BenchOptions.Outstanding} outstanding");
    }

    private static int SeqOf(string askId) => int.Parse(askId.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture) % MaxTracked;
}
