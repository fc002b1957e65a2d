using Relay.Bench.Infra;
using Relay.Bench.Results;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Two channels A and B on one hub: sequential asks (one-way and round-trip latency, CPU per round trip over the same
/// asks), then throughput with 8 asks outstanding, then the same sequential asks with the SDK's McpClient as the
/// client, to show how much of a figure a client library would add.
/// </summary>
internal sealed class LatencyScenario : IScenario
{
    public string Name => "latency";

    public void Run(BenchContext context, int run)
    {
        var options = context.Options;
        var results = context.Results;
        using var world = new BenchWorld(options);
        var hub = world.StartHub();
        var a = world.StartChannel("lat-a");
        var b = world.StartChannel("lat-b");
        BenchWorld.WaitPeers(a, 1);
        BenchWorld.WaitPeers(b, 1);
        context.Detail($"pids: hub {hub}, A {a.Pid}, B {b.Pid}");
        using (var pair = new AskPair(a, b))
        {
            pair.Sequential(options.Warmup);
            List<double> oneWay;
            List<double> roundTrip;
            IReadOnlyDictionary<int, CpuUse> cpu;
            using (var meter = CpuMeter.Start(hub, a.Pid, b.Pid, Environment.ProcessId))
            {
                (oneWay, roundTrip) = pair.Sequential(options.SequentialAsks);
                cpu = meter.Stop();
            }

            var ow = Distribution.Of(oneWay);
            var rt = Distribution.Of(roundTrip);
            results.AddDistribution(run, "ask.oneway", ow);
            results.AddDistribution(run, "ask.rt", rt);
            results.Add(run, "ask.oneway_p50", ow.P50);
            results.Add(run, "ask.oneway_p99", ow.P99);
            results.Add(run, "ask.oneway_mean", ow.Mean);
            results.Add(run, "ask.rt_p50", rt.P50);
            results.Add(run, "ask.rt_p99", rt.P99);
            results.Add(run, "ask.rt_mean", rt.Mean);
            var n = options.SequentialAsks;
            results.Add(run, "cpu.per_rt", (cpu[hub].SchedMs + cpu[a.Pid].SchedMs + cpu[b.Pid].SchedMs) / n);
            results.Add(run, "cpu.per_rt.hub", cpu[hub].SchedMs / n);
            results.Add(run, "cpu.per_rt.asker", cpu[a.Pid].SchedMs / n);
            results.Add(run, "cpu.per_rt.target", cpu[b.Pid].SchedMs / n);
            results.Add(run, "cpu.per_rt.stat", (cpu[hub].StatMs + cpu[a.Pid].StatMs + cpu[b.Pid].StatMs) / n);
            results.Add(run, "cpu.per_rt.harness", cpu[Environment.ProcessId].SchedMs / n);
            results.Add(run, "cpu.per_rt.wakeups", (double)(cpu[hub].WakeUps + cpu[a.Pid].WakeUps + cpu[b.Pid].WakeUps) / n);
            results.Add(run, "cpu.per_rt.runqueue", (cpu[hub].WaitMs + cpu[a.Pid].WaitMs + cpu[b.Pid].WaitMs) / n);
            context.Detail($"wake-ups per round trip: hub {(double)cpu[hub].WakeUps / n:0.0}, A {(double)cpu[a.Pid].WakeUps / n:0.0}, B {(double)cpu[b.Pid].WakeUps / n:0.0}, harness {(double)cpu[Environment.ProcessId].WakeUps / n:0.0}; run-queue wait {(cpu[hub].WaitMs + cpu[a.Pid].WaitMs + cpu[b.Pid].WaitMs) / n:0.000} ms");
            context.Progress($"latency: one-way p50 {ow.P50:0.000} p99 {ow.P99:0.000} ms; round trip p50 {rt.P50:0.000} p99 {rt.P99:0.000} ms; " +
                $"CPU/rt {(cpu[hub].SchedMs + cpu[a.Pid].SchedMs + cpu[b.Pid].SchedMs) / n:0.000} ms (hub {cpu[hub].SchedMs / n:0.000}, A {cpu[a.Pid].SchedMs / n:0.000}, B {cpu[b.Pid].SchedMs / n:0.000})");

            int completed;
            TimeSpan elapsed;
            using (var meter = CpuMeter.Start(hub, a.Pid, b.Pid, Environment.ProcessId))
            {
                (completed, elapsed) = pair.Pipelined(BenchOptions.Outstanding, options.ThroughputWindow);
                cpu = meter.Stop();
            }

            var rate = completed / elapsed.TotalSeconds;
            results.Add(run, "throughput", rate);
            results.Add(run, "throughput.cpu_relay", (cpu[hub].SchedMs + cpu[a.Pid].SchedMs + cpu[b.Pid].SchedMs) / elapsed.TotalMilliseconds);
            results.Add(run, "throughput.cpu_harness", cpu[Environment.ProcessId].SchedMs / elapsed.TotalMilliseconds);
            context.Progress($"throughput: {rate:0} round trips/s ({completed} in {elapsed.TotalSeconds:0.00} s, {BenchOptions.Outstanding} outstanding); " +
                $"CPUs busy: relay {(cpu[hub].SchedMs + cpu[a.Pid].SchedMs + cpu[b.Pid].SchedMs) / elapsed.TotalMilliseconds:0.00}, harness {cpu[Environment.ProcessId].SchedMs / elapsed.TotalMilliseconds:0.00}");
        }

        if (!options.NoSdk)
        {
            SdkLatency(context, world, run);
        }
    }

    private static void SdkLatency(BenchContext context, BenchWorld world, int run)
    {
        var options = context.Options;
        var (oneWay, roundTrip) = SdkAskPair.Measure(world, options.Warmup, options.SdkAsks);
        var ow = Distribution.Of(oneWay);
        var rt = Distribution.Of(roundTrip);
        context.Results.AddDistribution(run, "sdk.oneway", ow);
        context.Results.AddDistribution(run, "sdk.rt", rt);
        context.Results.Add(run, "sdk.oneway_p50", ow.P50);
        context.Results.Add(run, "sdk.oneway_p99", ow.P99);
        context.Results.Add(run, "sdk.rt_p50", rt.P50);
        context.Results.Add(run, "sdk.rt_p99", rt.P99);
        context.Progress($"SDK client: one-way p50 {ow.P50:0.000} p99 {ow.P99:0.000} ms; round trip p50 {rt.P50:0.000} p99 {rt.P99:0.000} ms");
    }
}
