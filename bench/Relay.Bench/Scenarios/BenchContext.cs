using System.Diagnostics;
using Relay.Bench.Results;

namespace Relay.Bench.Scenarios;

/// <summary>What every scenario gets: the options, where figures go, progress output.</summary>
internal sealed class BenchContext(BenchOptions options, BenchResults results)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public BenchOptions Options { get; } = options;

    public BenchResults Results { get; } = results;

    public void Progress(string message) => Console.Error.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {message}");

    public void Detail(string message)
    {
        if (Options.Verbose)
        {
            Progress("  " + message);
        }
    }

    public static double Ms(long fromTimestamp, long toTimestamp) => (toTimestamp - fromTimestamp) * 1000.0 / Stopwatch.Frequency;

    /// <summary>How this bench runs itself (for the echo children): the apphost, or dotnet + the dll.</summary>
    public static (string FileName, string[] Prefix) Self()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            return (path, [Path.Combine(AppContext.BaseDirectory, "relay-bench.dll")]);
        }

        return (path, []);
    }
}

/// <summary>One group of figures, run once per run.</summary>
internal interface IScenario
{
    string Name { get; }

    void Run(BenchContext context, int run);
}
