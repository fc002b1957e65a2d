using System.Globalization;

namespace Relay.Cli.Doctor;

/// <summary>What <c>/proc/&lt;pid&gt;</c> says about one process; null fields could not be read (another user's process).</summary>
internal sealed record ProcessInfo(int Pid, int ParentPid, char State, string Comm, IReadOnlyList<string> Args, string? Exe)
{
    public static IEnumerable<int> AllPids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>Reads one process; null when it is gone or unreadable.</summary>
    public static ProcessInfo? Read(int pid)
    {
        var root = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
        try
        {
            // stat: "pid (comm) S ppid ..."; comm may hold spaces and parentheses, so split at the last ')'.
            var stat = File.ReadAllText(root + "/stat");
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                return null;
            }

            var comm = stat[(open + 1)..close];
            var rest = stat[(close + 2)..].Split(' ');
            var state = rest[0].Length > 0 ? rest[0][0] : '?';
            var parent = int.Parse(rest[1], NumberStyles.Integer, CultureInfo.InvariantCulture);
            var cmdline = File.ReadAllText(root + "/cmdline");
            var args = cmdline.Split('\0');
            if (args.Length > 0 && args[^1].Length == 0)
            {
                args = args[..^1];
            }

            return new ProcessInfo(pid, parent, state, comm, args, ReadLink(root + "/exe"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The process's environment, or null when it cannot be read.</summary>
    public IReadOnlyDictionary<string, string>? ReadEnvironment()
    {
        try
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in File.ReadAllText("/proc/" + Pid.ToString(CultureInfo.InvariantCulture) + "/environ").Split('\0'))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    env[pair[..eq]] = pair[(eq + 1)..];
                }
            }

            return env;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public string? ReadCwd() => ReadLink("/proc/" + Pid.ToString(CultureInfo.InvariantCulture) + "/cwd");

    private static string? ReadLink(string path)
    {
        try
        {
            var target = new FileInfo(path).LinkTarget;
            // A replaced binary reads as "/path/relay (deleted)".
            const string deleted = " (deleted)";
            return target is not null && target.EndsWith(deleted, StringComparison.Ordinal) ? target[..^deleted.Length] : target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
