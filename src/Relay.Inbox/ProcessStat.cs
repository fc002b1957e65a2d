using System.Globalization;

namespace Relay.Inbox;

/// <summary>What <c>/proc/&lt;pid&gt;/stat</c> says about a process (Linux).</summary>
/// <param name="State">Field 3: R, S, D, Z (zombie), T, …</param>
/// <param name="StartTime">Field 22, the start time in clock ticks since boot, as text: what Claude Code stores as <c>procStart</c>.</param>
/// <param name="ParentPid">Field 4.</param>
public sealed record ProcessStat(char State, string StartTime, int ParentPid)
{
    /// <summary>A zombie has exited; only its parent has not reaped it yet.</summary>
    public bool IsZombie => State is 'Z' or 'X' or 'x';

    /// <summary>Reads the process's stat line; null when the process does not exist (or /proc is unavailable).</summary>
    public static ProcessStat? TryRead(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        try
        {
            return TryParse(File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Parses a stat line. The command name (field 2) is in parentheses and may itself hold spaces and ')', so fields are
    /// counted from the last ')', the way Claude Code does.
    /// </summary>
    public static ProcessStat? TryParse(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 > stat.Length)
        {
            return null;
        }

        // Fields 3.. after ") ": index 0 is field 3 (state), 1 is field 4 (ppid), 19 is field 22 (starttime).
        var fields = stat[(close + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0].Length != 1
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parentPid)
            || fields[19].Length == 0 || !fields[19].All(char.IsAsciiDigit))
        {
            return null;
        }

        return new ProcessStat(fields[0][0], fields[19], parentPid);
    }
}
