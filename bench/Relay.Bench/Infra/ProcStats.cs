using System.Globalization;

namespace Relay.Bench.Infra;

/// <summary>Reads memory and CPU figures of other processes from /proc.</summary>
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

    /// <summary>Nanoseconds on CPU of every live thread of the process (tid → ns), from /proc/&lt;pid&gt;/task/*/schedstat.</summary>
    public static Dictionary<int, long> ThreadCpuNs(int pid)
    {
        var result = new Dictionary<int, long>();
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
                var text = File.ReadAllText(Path.Combine(task, "schedstat"));
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                var ns = long.Parse(text.AsSpan(0, space), CultureInfo.InvariantCulture);
                result[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = ns;
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
