using System.Globalization;

namespace Relay.Bench.Soak;

/// <summary>
/// One process's footprint over a soak (the hub's, or a channel's): at the start, once warm, the peak of the periodic
/// samples, and at the end; and the growth it must stay within: open fds at most <see cref="MaxFdGrowth"/> above the
/// start, RSS at most max(16 MiB, 50%) above the warm figure.
/// </summary>
internal sealed class FootprintTrack
{
    private const int MaxFdGrowth = 4;
    private const double MaxRssGrowthMiB = 16;
    private const double MaxRssGrowthRatio = 0.5;

    private readonly int _pid;

    public FootprintTrack(string label, int pid)
    {
        Label = label;
        _pid = pid;
        Start = Warm = Peak = End = ProcessFootprint.Of(pid);
    }

    /// <summary>How failures name the process: <c>hub</c>, <c>channel soak-ch00</c>.</summary>
    public string Label { get; }

    public ProcessFootprint Start { get; }

    public ProcessFootprint Warm { get; private set; }

    public ProcessFootprint Peak { get; private set; }

    public ProcessFootprint End { get; private set; }

    public double RssBound => Warm.RssMiB + Math.Max(MaxRssGrowthMiB, Warm.RssMiB * MaxRssGrowthRatio);

    public int FdBound => Start.OpenFds + MaxFdGrowth;

    public void TakeWarm() => Warm = ProcessFootprint.Of(_pid);

    /// <summary>A periodic sample: counts towards the peak, and is returned for progress lines.</summary>
    public ProcessFootprint Sample()
    {
        var now = ProcessFootprint.Of(_pid);
        Peak = new ProcessFootprint(Math.Max(Peak.RssMiB, now.RssMiB), Math.Max(Peak.OpenFds, now.OpenFds));
        return now;
    }

    public void TakeEnd() => End = Sample();

    /// <summary>Adds to <paramref name="failures"/> what grew past its bound.</summary>
    public void Check(List<string> failures)
    {
        if (End.OpenFds > FdBound)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Label} open fds grew from {Start.OpenFds} to {End.OpenFds}"));
        }

        if (End.RssMiB > RssBound)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Label} RSS grew from {Warm.RssMiB:0.0} MiB (warm) to {End.RssMiB:0.0} MiB, over {RssBound:0.0} MiB"));
        }
    }
}
