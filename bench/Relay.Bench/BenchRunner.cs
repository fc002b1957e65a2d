using System.Diagnostics;
using Relay.Bench.Infra;
using Relay.Bench.Results;
using Relay.Bench.Scenarios;

namespace Relay.Bench;

/// <summary>Runs every scenario once per run, then prints and writes the report.</summary>
internal static class BenchRunner
{
    public static int Run(BenchOptions options, string[] args)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var loadBefore = LoadAverage();
        var results = new BenchResults { Runs = options.Runs };
        var context = new BenchContext(options, results);
        IScenario[] scenarios =
        [
            new FloorScenario(),
            new ColdStartScenario(),
            new MemoryScenario(),
            new LatencyScenario(),
            new BroadcastScenario(),
            new HubRssScenario(),
            new HubOnlyScenario(),
            new RestartScenario(),
            new CrossHostScenario(),
        ];
        var failures = new List<string>();
        context.Progress($"relay-bench {(options.Smoke ? "smoke" : "full")}, {options.Runs} run(s), relay {options.RelayPath}");
        for (var run = 0; run < options.Runs; run++)
        {
            foreach (var scenario in scenarios.Where(s => options.Wants(s.Name)))
            {
                context.Progress($"run {run + 1}/{options.Runs}: {scenario.Name}");
                try
                {
                    scenario.Run(context, run);
                }
                catch (BenchFailure ex)
                {
                    failures.Add($"run {run + 1} {scenario.Name}: {ex.Message}");
                    context.Progress("FAILED: " + ex.Message);
                }
            }
        }

        var command = "relay-bench " + string.Join(' ', args);
        var info = new RunInfo(command, options.Smoke ? "smoke" : "full", options.Runs, options.RelayPath, started, clock.Elapsed, Machine(), loadBefore, LoadAverage(), failures);
        var markdown = ReportWriter.Markdown(results, info);
        Console.Out.Write(markdown);
        if (options.MdPath is { } md)
        {
            File.WriteAllText(md, markdown);
        }

        if (options.JsonPath is { } json)
        {
            File.WriteAllBytes(json, ReportWriter.Json(results, info));
        }

        return failures.Count == 0 ? 0 : 1;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string Machine()
    {
        var model = "?";
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException)
        {
        }

        return $"{Environment.ProcessorCount} CPUs ({model}), Linux {Environment.OSVersion.Version}";
    }
}
