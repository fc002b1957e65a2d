using System.CommandLine;

namespace Relay.Cli;

/// <summary>
/// A duration option (<c>--timeout 120s</c>, <c>--wait 30s</c>, <c>--since 10m</c>, <c>--idle-exit 5m</c>), read as
/// <see cref="Durations"/> text; a bad value is a bad_args <see cref="CliError"/> naming the option.
/// </summary>
internal sealed class DurationOption : Option<string>
{
    private readonly bool _allowZero;

    public DurationOption(string name, string description, string? defaultText = null, bool allowZero = false)
        : base(name)
    {
        Description = description;
        HelpName = "DURATION";
        _allowZero = allowZero;
        if (defaultText is not null)
        {
            DefaultValueFactory = _ => defaultText;
        }
    }

    /// <summary>The value given (or the default); null when neither.</summary>
    public TimeSpan? Read(ParseResult parse) => parse.GetValue(this) is { } text ? Parse(Name, text, _allowZero) : null;

    /// <summary>Parses <paramref name="text"/> with <see cref="Durations"/> or fails with bad_args naming <paramref name="option"/>.</summary>
    public static TimeSpan Parse(string option, string text, bool allowZero = false)
    {
        if (Durations.TryParse(text, out var value) && (value > TimeSpan.Zero || allowZero))
        {
            return value;
        }

        throw CliError.BadArgs($"{option}: '{text}' is not a duration (use e.g. 250ms, 90s, 5m, 1h)");
    }
}
