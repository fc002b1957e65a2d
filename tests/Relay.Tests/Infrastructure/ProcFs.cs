using System.Globalization;

namespace Relay.Tests.Infrastructure;

/// <summary>What tests read from /proc: pids, parent links, stat fields and command lines.</summary>
public static class ProcFs
{
    /// <summary>Every pid /proc lists now.</summary>
    public static IEnumerable<int> Pids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>Field <paramref name="index"/> (1-based, as in proc(5)) of /proc/&lt;pid&gt;/stat; null when the process is gone.</summary>
    public static string? StatField(int pid, int index)
    {
        try
        {
            // The command name (field 2) may hold spaces and ')': count fields from the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[index - 3];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The parent pid of <paramref name="pid"/>, or -1 when it is gone.</summary>
    public static int ParentOf(int pid) => NumberField(pid, 4);

    /// <summary>The session id of <paramref name="pid"/>, or -1 when it is gone.</summary>
    public static int SessionOf(int pid) => NumberField(pid, 6);

    /// <summary>The direct children of <paramref name="pid"/>.</summary>
    public static IReadOnlyList<int> ChildrenOf(int pid) => [.. Pids().Where(candidate => ParentOf(candidate) == pid)];

    /// <summary>The command line of <paramref name="pid"/> as arguments, or empty when it is gone.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Live processes (not this one) whose command line satisfies <paramref name="match"/>.</summary>
    public static List<int> LiveProcessesWhere(Func<IReadOnlyList<string>, bool> match) =>
        [.. Pids().Where(pid => pid != Environment.ProcessId && match(CommandLine(pid)) && Posix.IsAlive(pid))];

    private static int NumberField(int pid, int index) =>
        StatField(pid, index) is { } text && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : -1;
}
