using System.Globalization;

namespace Relay.Cli;

/// <summary>Reads duration options (<c>--timeout 120s</c>, <c>--wait 30s</c>, <c>--since 10m</c>) for the CLI commands.</summary>
internal static class CliDurations
{
    /// <summary>Parses <paramref name="text"/> or fails with bad_args naming <paramref name="option"/>.</summary>
    public static TimeSpan Parse(string option, string text)
    {
        if (TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        throw CliError.BadArgs($"{option}: '{text}' is not a duration (use e.g. 250ms, 90s, 5m, 1h)");
    }

    /// <summary>Short human form: 250ms, 90s, 5m, 1h30m.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        if (value < TimeSpan.FromMinutes(1) || value.Seconds != 0)
        {
            return ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        }

        if (value < TimeSpan.FromHours(1) || value.Minutes != 0)
        {
            return ((long)value.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m";
        }

        return ((long)value.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";
    }

    // Stand-in until the hub work's Durations.cs lands; same grammar: a number and a unit (ms, s, m, h), bare = seconds.
    private static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        var split = 0;
        while (split < text.Length && (char.IsAsciiDigit(text[split]) || text[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(text.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        double? ms = text[split..] switch
        {
            "ms" => number,
            "" or "s" => number * 1000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            _ => null,
        };
        if (ms is not { } total || total > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }
}
