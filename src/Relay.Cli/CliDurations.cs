namespace Relay.Cli;

/// <summary>Reads duration options (<c>--timeout 120s</c>, <c>--wait 30s</c>, <c>--since 10m</c>) as bad_args errors.</summary>
internal static class CliDurations
{
    /// <summary>Parses <paramref name="text"/> with <see cref="Durations"/> or fails with bad_args naming <paramref name="option"/>.</summary>
    public static TimeSpan Parse(string option, string text)
    {
        if (Durations.TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        throw CliError.BadArgs($"{option}: '{text}' is not a duration (use e.g. 250ms, 90s, 5m, 1h)");
    }
}
