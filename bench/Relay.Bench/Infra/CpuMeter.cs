namespace Relay.Bench.Infra;

/// <summary>
/// CPU time other processes spend over a window, with nanosecond resolution: per-thread schedstat counters, sampled
/// every 100 ms so a thread that exits inside the window still counts (up to its last sample). The 10 ms ticks of
/// /proc/&lt;pid&gt;/stat are too coarse for idle figures of a fraction of a millisecond per second; they are kept as a
/// cross-check.
/// </summary>
internal sealed class CpuMeter : IDisposable
{
    private readonly int[] _pids;
    private readonly Dictionary<int, Dictionary<int, (long First, long Last)>> _threads = [];
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
                foreach (var (tid, ns) in ProcStats.ThreadCpuNs(pid))
                {
                    if (known.TryGetValue(tid, out var seen))
                    {
                        known[tid] = (seen.First, ns);
                    }
                    else
                    {
                        // A thread born inside the window counts from zero.
                        known[tid] = (initial ? ns : 0, ns);
                    }
                }
            }
        }
    }

    /// <summary>Stops sampling and returns, per pid, the CPU milliseconds spent in the window (schedstat, and /proc stat ticks).</summary>
    public IReadOnlyDictionary<int, (double SchedMs, double StatMs)> Stop()
    {
        Sample(initial: false);
        lock (_gate)
        {
            _stopped = true;
        }

        _timer.Dispose();
        var result = new Dictionary<int, (double, double)>();
        foreach (var pid in _pids)
        {
            var ns = _threads[pid].Values.Sum(t => t.Last - t.First);
            result[pid] = (ns / 1e6, ProcStats.StatCpuMs(pid) - _statStart[pid]);
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
