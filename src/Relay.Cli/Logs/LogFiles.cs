using System.Globalization;
using Relay.Runtime;

namespace Relay.Cli.Logs;

/// <summary>The daily log files <c>relay-YYYY-MM-DD.log</c> of a log folder, oldest first.</summary>
internal static class LogFiles
{
    public static IReadOnlyList<string> List(string logDir, DateTimeOffset? since = null)
    {
        if (!Directory.Exists(logDir))
        {
            return [];
        }

        var files = Directory.EnumerateFiles(logDir, RelayLog.FilePrefix + "*.log")
            .Where(f => since is not { } from || DayOf(f) is not { } day || day >= DateOnly.FromDateTime(from.LocalDateTime).AddDays(-1))
            .ToList();
        // Names carry the date, so name order is time order (an archive "relay-D.1.log" sorts before "relay-D.log").
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static DateOnly? DayOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var datePart = name.Length >= RelayLog.FilePrefix.Length + 10 ? name.Substring(RelayLog.FilePrefix.Length, 10) : string.Empty;
        return DateOnly.TryParseExact(datePart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
    }
}
