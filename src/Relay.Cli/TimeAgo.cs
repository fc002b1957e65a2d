using System.Globalization;

namespace Relay.Cli;

/// <summary>"just now", "3s ago", "4m ago", "2h ago", "3d ago".</summary>
internal static class TimeAgo
{
    public static string Format(DateTimeOffset then, DateTimeOffset now)
    {
        var age = now - then;
        if (age < TimeSpan.FromSeconds(1))
        {
            return "just now";
        }

        var (value, unit) = age switch
        {
            { TotalMinutes: < 1 } => (age.TotalSeconds, "s"),
            { TotalHours: < 1 } => (age.TotalMinutes, "m"),
            { TotalDays: < 1 } => (age.TotalHours, "h"),
            _ => (age.TotalDays, "d"),
        };
        return ((long)value).ToString(CultureInfo.InvariantCulture) + unit + " ago";
    }
}
