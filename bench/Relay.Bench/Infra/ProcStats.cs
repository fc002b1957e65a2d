using System.Globalization;

namespace Relay.Bench.Infra;

/// <summary>Reads memory and CPU figures of other processes from /proc.</summary>
internal readonly record struct SchedStat(long CpuNs, long WaitNs, long Slices)
{
    public static SchedStat operator -(SchedStat a, SchedStat b) => new(a.CpuNs - b.CpuNs, a.WaitNs - b.WaitNs, a.Slices - b.Slices);

    public static SchedStat operator +(SchedStat a, SchedStat b) => new(a.CpuNs + b.CpuNs, a.WaitNs + b.WaitNs, a.Slices + b.Slices);
}

internal static class ProcStats
{
    /// <summary>Clock ticks per second of /proc/&lt;pid&gt;/stat times (USER_HZ; 100 on every Linux this runs on).</summary>
    public const double TicksPerSecond = 100;

    /// <summary>VmRSS of the process in MiB, or NaN when it is gone.</summary>
    public static double RssMiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kib = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    return kib / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return double.NaN;
    }

    /// <summary>utime + stime of the whole process (live and exited threads) in milliseconds, from /proc/&lt;pid&gt;/stat.</summary>
    public static double StatCpuMs(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) * 1000.0 / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>
    /// Per live thread (by tid), from /proc/&lt;pid&gt;/task/*/schedstat: nanoseconds on CPU, nanoseconds runnable but
    /// waiting for a CPU, and how many times it was scheduled in (its wake-ups).
    /// </summary>
    public static Dictionary<int, SchedStat> ThreadSchedStats(int pid)
    {
        var result = new Dictionary<int, SchedStat>();
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return result;
        }

        foreach (var task in tasks)
        {
            try
            {
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                result[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = new SchedStat(
                    long.Parse(fields[0], CultureInfo.InvariantCulture),
                    long.Parse(fields[1], CultureInfo.InvariantCulture),
                    long.Parse(fields[2], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread exited between listing and reading.
            }
        }

        return result;
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var state = text[text.LastIndexOf(')') + 2];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
