namespace Relay.Bench.Infra;

/// <summary>What a window cost one process: CPU ms, CPU ms from stat ticks, ms waiting for a CPU, wake-ups.</summary>
internal readonly record struct CpuUse(double SchedMs, double StatMs, double WaitMs, long WakeUps);

/// <summary>
/// CPU time other processes spend over a window, with nanosecond resolution: per-thread schedstat counters, sampled
/// every 100 ms so a thread that exits inside the window still counts (up to its last sample). The 10 ms ticks of
/// /proc/&lt;pid&gt;/stat are too coarse for idle figures of a fraction of a millisecond per second; they are kept as a
/// cross-check.
/// </summary>
internal sealed class CpuMeter : IDisposable
{
    private readonly int[] _pids;
    private readonly Dictionary<int, Dictionary<int, (SchedStat First, SchedStat Last)>> _threads = [];
    private readonly Dictionary<int, double> _statStart = [];
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private bool _stopped;

    private CpuMeter(int[] pids)
    {
        _pids = pids;
        foreach (var pid in pids)
        {
            _threads[pid] = [];
            _statStart[pid] = ProcStats.StatCpuMs(pid);
        }

        Sample(initial: true);
        _timer = new Timer(_ => Sample(initial: false), null, 100, 100);
    }

    public static CpuMeter Start(params int[] pids) => new(pids);

    private void Sample(bool initial)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            foreach (var pid in _pids)
            {
                var known = _threads[pid];
                foreach (var (tid, stat) in ProcStats.ThreadSchedStats(pid))
                {
                    if (known.TryGetValue(tid, out var seen))
                    {
                        known[tid] = (seen.First, stat);
                    }
                    else
                    {
                        // A thread born inside the window counts from zero.
                        known[tid] = (initial ? stat : default, stat);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Stops sampling and returns, per pid, what the window cost: CPU milliseconds (schedstat, and /proc stat ticks
    /// as a cross-check), milliseconds runnable but waiting for a CPU, and wake-ups (times a thread was scheduled in).
    /// </summary>
    public IReadOnlyDictionary<int, CpuUse> Stop()
    {
        Sample(initial: false);
        lock (_gate)
        {
            _stopped = true;
        }

        _timer.Dispose();
        var result = new Dictionary<int, CpuUse>();
        foreach (var pid in _pids)
        {
            var total = _threads[pid].Values.Aggregate(default(SchedStat), (sum, t) => sum + (t.Last - t.First));
            result[pid] = new CpuUse(total.CpuNs / 1e6, ProcStats.StatCpuMs(pid) - _statStart[pid], total.WaitNs / 1e6, total.Slices);
        }

        return result;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        _timer.Dispose();
    }
}
