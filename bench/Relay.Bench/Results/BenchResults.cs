namespace Relay.Bench.Results;

/// <summary>Every figure's value per run, plus free-form per-run details for the JSON output.</summary>
internal sealed class BenchResults
{
    private readonly Dictionary<string, SortedDictionary<int, double>> _values = new(StringComparer.Ordinal);
    private readonly List<(int Run, string Key, Distribution Distribution)> _distributions = [];
    private readonly Lock _gate = new();

    public int Runs { get; init; }

    public void Add(int run, string key, double value)
    {
        if (!Figures.ByKey.ContainsKey(key))
        {
            throw new ArgumentException("unknown figure " + key, nameof(key));
        }

        lock (_gate)
        {
            if (!_values.TryGetValue(key, out var runs))
            {
                runs = [];
                _values[key] = runs;
            }

            runs[run] = value;
        }
    }

    /// <summary>Keeps a run's full latency summary (p50, p99, mean, min, max, count) for the JSON output.</summary>
    public void AddDistribution(int run, string key, Distribution distribution)
    {
        lock (_gate)
        {
            _distributions.Add((run, key, distribution));
        }
    }

    public IReadOnlyList<(int Run, string Key, Distribution Distribution)> Distributions => _distributions;

    public bool Has(string key) => _values.ContainsKey(key);

    public IReadOnlyDictionary<int, double> RunsOf(string key) => _values.TryGetValue(key, out var runs) ? runs : new SortedDictionary<int, double>();

    public double Median(string key) => Distribution.Median(RunsOf(key).Values);

    public double Min(string key) => RunsOf(key).Values.DefaultIfEmpty(double.NaN).Min();

    public double Max(string key) => RunsOf(key).Values.DefaultIfEmpty(double.NaN).Max();

    /// <summary>Median over runs of (value / floor) measured in the same run.</summary>
    public double FloorRatio(FigureDef figure)
    {
        if (figure.FloorKey is not { } floorKey)
        {
            return double.NaN;
        }

        var floors = RunsOf(floorKey);
        var ratios = RunsOf(figure.Key)
            .Where(r => floors.ContainsKey(r.Key) && floors[r.Key] > 0)
            .Select(r => r.Value / floors[r.Key]);
        return Distribution.Median(ratios);
    }

    /// <summary>True/false against the goal (and the floor-ratio bound), null when the figure has no goal or no value.</summary>
    public bool? Met(FigureDef figure)
    {
        if ((figure.Goal is null && figure.MaxFloorRatio is null) || !Has(figure.Key))
        {
            return null;
        }

        var median = Median(figure.Key);
        var met = figure.Goal is not { } goal || (figure.HigherIsBetter ? median >= goal : median <= goal);
        if (figure.MaxFloorRatio is { } maxRatio && FloorRatio(figure) is var ratio)
        {
            if (double.IsNaN(ratio))
            {
                // A ratio-only goal without its floor cannot be judged.
                return figure.Goal is null ? null : met;
            }

            met &= ratio <= maxRatio;
        }

        return met;
    }
}
