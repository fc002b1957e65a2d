using System.Globalization;

namespace Relay.Cli;

/// <summary>
/// Human durations for options: <c>250ms</c>, <c>90s</c>, <c>5m</c>, <c>1h</c>, <c>2d</c>, combined as <c>1m30s</c>.
/// A bare number means seconds.
/// </summary>
internal static class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var bareSeconds))
        {
            return TryMake(bareSeconds * 1000, out duration);
        }

        double totalMs = 0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !double.TryParse(span[..numberLength], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetter(span[unitLength]))
            {
                unitLength++;
            }

            double? unitMs = span[..unitLength].ToString().ToLowerInvariant() switch
            {
                "ms" => 1,
                "s" or "sec" => 1000,
                "m" or "min" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => null,
            };
            if (unitMs is null)
            {
                return false;
            }

            totalMs += value * unitMs.Value;
            span = span[unitLength..];
        }

        return TryMake(totalMs, out duration);
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"not a duration: {text} (try 250ms, 90s, 5m, 1h)");

    /// <summary>Compact human form: <c>250ms</c>, <c>42s</c>, <c>5m 3s</c>, <c>2h 10m</c>, <c>3d 4h</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        if (duration < TimeSpan.FromMinutes(1))
        {
            return ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        }

        if (duration < TimeSpan.FromHours(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMinutes}m {duration.Seconds}s");
        }

        if (duration < TimeSpan.FromDays(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalHours}h {duration.Minutes}m");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalDays}d {duration.Hours}h");
    }

    private static bool TryMake(double milliseconds, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (double.IsNaN(milliseconds) || milliseconds < 0 || milliseconds > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }
}
