using Relay.Bench.Infra;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Two channels: RSS after start, idle CPU over a quiet window (no traffic at all: any CPU is a timer or a poll),
/// then 10,000 asks A → B (8 outstanding) and RSS again.
/// </summary>
internal sealed class MemoryScenario : IScenario
{
    public string Name => "memory";

    public void Run(BenchContext context, int run)
    {
        var options = context.Options;
        using var world = new BenchWorld(options);
        var hub = world.StartHub();
        var a = world.StartChannel("mem-a");
        var b = world.StartChannel("mem-b");
        BenchWorld.WaitPeers(a, 1);
        BenchWorld.WaitPeers(b, 1);
        // Let start-up work (GC, first log writes) finish before measuring a resting process.
        Thread.Sleep(500);
        var rssStart = Math.Max(ProcStats.RssMiB(a.Pid), ProcStats.RssMiB(b.Pid));
        context.Results.Add(run, "rss.channel_start", rssStart);

        using (var meter = CpuMeter.Start(a.Pid, b.Pid, hub))
        {
            Thread.Sleep(options.IdleWindow);
            var cpu = meter.Stop();
            var seconds = options.IdleWindow.TotalSeconds;
            var perChannel = (cpu[a.Pid].SchedMs + cpu[b.Pid].SchedMs) / 2 / seconds;
            context.Results.Add(run, "cpu.idle_channel", perChannel);
            context.Results.Add(run, "cpu.idle_hub", cpu[hub].SchedMs / seconds);
            context.Results.Add(run, "cpu.idle_wakeups", (cpu[a.Pid].WakeUps + cpu[b.Pid].WakeUps) / 2.0 / seconds);
            context.Detail($"idle: A {cpu[a.Pid].SchedMs:0.000} ms, B {cpu[b.Pid].SchedMs:0.000} ms, hub {cpu[hub].SchedMs:0.000} ms over {seconds:0.0} s");
        }

        using var pair = new AskPair(a, b);
        var (_, elapsed) = pair.Pipelined(BenchOptions.Outstanding, window: null, total: options.RssAsks);
        Thread.Sleep(300);
        var rssAfter = Math.Max(ProcStats.RssMiB(a.Pid), ProcStats.RssMiB(b.Pid));
        context.Results.Add(run, "rss.channel_after", rssAfter);
        context.Results.Add(run, "rss.hub_after", ProcStats.RssMiB(hub));
        context.Progress($"memory: channel RSS {rssStart:0.0} → {rssAfter:0.0} MiB after {options.RssAsks} asks ({elapsed.TotalSeconds:0.0} s); hub {ProcStats.RssMiB(hub):0.0} MiB; idle {context.Results.Median("cpu.idle_channel"):0.000} ms/s per channel");
    }
}
