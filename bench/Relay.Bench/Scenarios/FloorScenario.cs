using System.Diagnostics;
using System.Net.Sockets;
using Relay.Bench.Infra;
using Relay.Bench.Results;

namespace Relay.Bench.Scenarios;

/// <summary>
/// The floor: what the same messages cost with no relay at all. A 256-byte JSON line ping-pong between the bench and
/// an echo child of itself, over pipes (stdio) and over a Unix socket, measured with the same blocking-reader
/// technique as the relay figures. An ask crosses two pipe hops and two socket hops (A's stdin, A → hub, hub → B,
/// B's stdout), so the one-way floor is one stdio RTT plus one Unix RTT.
/// </summary>
internal sealed class FloorScenario : IScenario
{
    public string Name => "floor";

    public void Run(BenchContext context, int run)
    {
        var options = context.Options;
        var (stdio, echoWakeUps) = StdioPingPong(options.Warmup, options.FloorPings);
        var unix = UnixPingPong(options.Warmup, options.FloorPings);
        var results = context.Results;
        results.AddDistribution(run, "floor.stdio", stdio);
        results.AddDistribution(run, "floor.unix", unix);
        results.Add(run, "floor.stdio_p50", stdio.P50);
        results.Add(run, "floor.stdio_p99", stdio.P99);
        results.Add(run, "floor.unix_p50", unix.P50);
        results.Add(run, "floor.unix_p99", unix.P99);
        results.Add(run, "floor.oneway_p50", stdio.P50 + unix.P50);
        results.Add(run, "floor.oneway_p99", stdio.P99 + unix.P99);
        results.Add(run, "floor.rt_p50", 2 * (stdio.P50 + unix.P50));
        results.Add(run, "floor.rt_p99", 2 * (stdio.P99 + unix.P99));
        results.Add(run, "floor.unix2_p50", 2 * unix.P50);
        results.Add(run, "floor.wakeups", echoWakeUps);
        var spawn = SpawnFloor(options.ColdStartSamples + 1).Skip(1).ToList();
        results.Add(run, "floor.spawn", Distribution.Median(spawn));
        context.Progress($"floor: stdio RTT p50 {stdio.P50:0.000} ms p99 {stdio.P99:0.000}; unix RTT p50 {unix.P50:0.000} p99 {unix.P99:0.000}; spawn {Distribution.Median(spawn):0.00} ms");
    }

    /// <summary>The stdio ping-pong, and the echo child's wake-ups per ping (the least a hop can cost: one).</summary>
    private static (Distribution Rtt, double EchoWakeUps) StdioPingPong(int warmup, int count)
    {
        using var waiter = new Arrival();
        var (file, prefix) = BenchContext.Self();
        using var echo = LineProcess.Start(file, [.. prefix, "--echo-stdio"], new Dictionary<string, string?>(), Environment.CurrentDirectory, "echo-stdio", (_, ts) => waiter.Arrived(ts));
        PingPong(echo.WriteLine, waiter, warmup, 0, "stdio echo");
        using var meter = CpuMeter.Start(echo.Pid);
        var rtt = PingPong(echo.WriteLine, waiter, 0, count, "stdio echo");
        return (rtt, (double)meter.Stop()[echo.Pid].WakeUps / count);
    }

    private static Distribution UnixPingPong(int warmup, int count)
    {
        var dir = Directory.CreateTempSubdirectory("rb-echo-").FullName;
        try
        {
            var socketPath = Path.Combine(dir, "echo.sock");
            var (file, prefix) = BenchContext.Self();
            using var echo = LineProcess.Start(file, [.. prefix, "--echo-unix", socketPath], new Dictionary<string, string?>(), dir, "echo-unix", static (_, _) => { });
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(socketPath));
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !echo.HasExited)
                {
                    Thread.Sleep(5);
                }
            }

            using var waiter = new Arrival();
            using var reader = new SocketLineReader(socket, (_, ts) => waiter.Arrived(ts));
            return PingPong(line => reader.WriteLine(line), waiter, warmup, count, "unix echo");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private delegate void LineWriter(ReadOnlySpan<byte> line);

    private static Distribution PingPong(LineWriter write, Arrival waiter, int warmup, int count, string what)
    {
        var samples = new List<double>(count);
        for (var i = 0; i < warmup + count; i++)
        {
            var line = Messages.PingLine(i);
            var t0 = Stopwatch.GetTimestamp();
            write(line);
            var t1 = waiter.Wait(TimeSpan.FromSeconds(10)) ?? throw new BenchFailure($"{what}: no echo within 10 s");
            if (i >= warmup)
            {
                samples.Add(BenchContext.Ms(t0, t1));
            }
        }

        return Distribution.Of(samples);
    }

    /// <summary>Start /bin/cat, push one line through it, read it back: the cost of spawning any process and talking to it.</summary>
    private static List<double> SpawnFloor(int samples)
    {
        var result = new List<double>();
        var line = Messages.PingLine(0);
        for (var i = 0; i < samples; i++)
        {
            var waiter = new Arrival();
            var t0 = Stopwatch.GetTimestamp();
            using var cat = LineProcess.Start("/bin/cat", [], new Dictionary<string, string?>(), "/", "cat", (_, ts) => waiter.Arrived(ts));
            cat.WriteLine(line);
            var t1 = waiter.Wait(TimeSpan.FromSeconds(10)) ?? throw new BenchFailure("cat: no echo within 10 s");
            result.Add(BenchContext.Ms(t0, t1));
        }

        return result;
    }
}
