using Relay.Bench.Infra;
using Relay.Bench.Results;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Relay across hosts, all on loopback: one <c>nats-server -js</c>, two hubs of the relay binary joined to it as
/// hosts <c>ha</c> and <c>hb</c> (<see cref="CrossHostPair"/>), raw socket peers X and Y on ha and Z on hb. Figures, in
/// one run: the local round trip (X asks Y), the NATS request/reply floors (<see cref="NatsFloor"/>: sequential round
/// trips, and requests/s with <see cref="BenchOptions.Outstanding"/> outstanding over the throughput window), the
/// cross-host round trip (X asks <c>hb-z@hb</c>), the same round trip through the JetStream stream only (a second pair
/// of hubs, hosts <c>sa</c> and <c>sb</c> in their own space, with the live path off; stopped before the throughput
/// window) and cross-host asks/s with 8 outstanding. Skipped with a message when nats-server is not on PATH.
/// </summary>
internal sealed class CrossHostScenario : IScenario
{
    private const string Space = "bench";

    private const string StreamSpace = "bench-stream";

    /// <summary>The hub's live-path timeout; 0 sends every cross-host ask and reply through the JetStream stream.</summary>
    private static readonly Dictionary<string, string> StreamOnly = new() { ["RELAY_NATS_LIVE_TIMEOUT_MS"] = "0" };

    public string Name => "crosshost";

    public void Run(BenchContext context, int run)
    {
        if (NatsServerProcess.Find() is not { } natsServer)
        {
            context.Progress("crosshost: SKIPPED, nats-server is not on PATH (install it, e.g. apt-get install nats-server, to measure relay across hosts)");
            return;
        }

        var options = context.Options;
        using var nats = NatsServerProcess.Start(natsServer);
        context.Detail($"crosshost: nats-server pid {nats.Pid} on {nats.Url}");
        using var pair = CrossHostPair.Start(options, nats.Url, Space, "ha", "hb");
        context.Detail("crosshost: hubs ha and hb see each other's peers");

        var local = pair.Local(options.Warmup, options.CrossHostAsks);
        Distribution floor;
        double natsRate;
        using (var natsFloor = NatsFloor.Connect(nats.Url))
        {
            floor = natsFloor.RoundTrips(options.Warmup, options.CrossHostAsks);
            natsRate = natsFloor.Throughput(BenchOptions.Outstanding, options.Warmup, options.ThroughputWindow);
        }

        context.Detail("crosshost: local and NATS floors measured");
        var cross = pair.Cross(options.Warmup, options.CrossHostAsks);
        context.Detail("crosshost: cross-host round trips measured");
        Distribution stream;
        using (var streamPair = CrossHostPair.Start(options, nats.Url, StreamSpace, "sa", "sb", StreamOnly))
        {
            context.Detail("crosshost: stream-only hubs sa and sb see each other's peers");
            stream = streamPair.Cross(options.CrossHostStreamWarmup, options.CrossHostStreamAsks);
        }

        context.Detail("crosshost: stream-only round trips measured, hubs sa and sb stopped");
        double HubsCpuMs() => ProcStats.StatCpuMs(pair.HubPidA) + ProcStats.StatCpuMs(pair.HubPidB);
        var (natsCpu0, hubsCpu0) = (ProcStats.StatCpuMs(nats.Pid), HubsCpuMs());
        var rate = pair.CrossThroughput(options.ThroughputWindow);
        var asks = rate * options.ThroughputWindow.TotalSeconds;
        var natsCpu = (ProcStats.StatCpuMs(nats.Pid) - natsCpu0) / asks;
        var hubsCpu = (HubsCpuMs() - hubsCpu0) / asks;

        context.Results.AddDistribution(run, "crosshost.local", local);
        context.Results.AddDistribution(run, "crosshost.nats", floor);
        context.Results.AddDistribution(run, "crosshost.rt", cross);
        context.Results.AddDistribution(run, "crosshost.stream_rt", stream);
        context.Results.Add(run, "crosshost.local_p50", local.P50);
        context.Results.Add(run, "crosshost.local_p99", local.P99);
        context.Results.Add(run, "crosshost.nats_p50", floor.P50);
        context.Results.Add(run, "crosshost.nats_p99", floor.P99);
        context.Results.Add(run, "crosshost.nats_per_s", natsRate);
        context.Results.Add(run, "crosshost.floor_p50", floor.P50 + local.P50);
        context.Results.Add(run, "crosshost.floor_p99", floor.P99 + local.P99);
        context.Results.Add(run, "crosshost.rt_p50", cross.P50);
        context.Results.Add(run, "crosshost.rt_p99", cross.P99);
        context.Results.Add(run, "crosshost.stream_rt_p50", stream.P50);
        context.Results.Add(run, "crosshost.stream_rt_p99", stream.P99);
        context.Results.Add(run, "crosshost.asks_per_s", rate);
        context.Results.Add(run, "crosshost.nats_cpu_per_ask_ms", natsCpu);
        context.Results.Add(run, "crosshost.hubs_cpu_per_ask_ms", hubsCpu);
        context.Progress($"crosshost: local p50 {local.P50:0.000} p99 {local.P99:0.000} ms, NATS request/reply p50 {floor.P50:0.000} p99 {floor.P99:0.000} ms, cross-host p50 {cross.P50:0.000} p99 {cross.P99:0.000} ms ({cross.P50 / (floor.P50 + local.P50):0.00}× floor + local), stream only p50 {stream.P50:0.000} p99 {stream.P99:0.000} ms, {rate:0} asks/s with {BenchOptions.Outstanding} outstanding ({rate / natsRate:0.00}× NATS request/reply {natsRate:0}/s) (CPU per ask: nats-server {natsCpu:0.000} ms, both hubs {hubsCpu:0.000} ms)");
    }
}
