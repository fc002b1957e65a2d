using Relay.Cli;
using Relay.Protocol;
using Xunit;

namespace Relay.UnitTests.Cli;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("90s", 90_000)]
    [InlineData("90sec", 90_000)]
    [InlineData("5m", 300_000)]
    [InlineData("5min", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1H30M", 5_400_000)]
    [InlineData("1.5s", 1500)]
    [InlineData("  42  ", 42_000)]
    [InlineData("0.25", 250)]
    [InlineData("0s", 0)]
    public void TryParse_reads_units_combinations_and_bare_seconds(string text, long milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5x")]
    [InlineData("m5")]
    [InlineData("-5s")]
    [InlineData("-5")]
    [InlineData("5 m")]
    [InlineData("1e308")]
    [InlineData("NaN")]
    public void TryParse_refuses_anything_else(string? text)
    {
        Assert.False(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.Zero, duration);
    }

    [Fact]
    public void Parse_throws_a_format_exception_naming_the_text() =>
        Assert.Contains("soon", Assert.Throws<FormatException>(() => Durations.Parse("soon")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(42_900, "42s")]
    [InlineData(303_000, "5m 3s")]
    [InlineData(7_800_000, "2h 10m")]
    [InlineData(273_600_000, "3d 4h")]
    public void Format_is_compact(long milliseconds, string text) => Assert.Equal(text, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void DurationOption_wants_a_positive_duration_and_fails_with_bad_args_naming_the_option()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), DurationOption.Parse("--wait", "30s"));
        foreach (var text in new[] { "0s", "soon" })
        {
            var error = Assert.Throws<CliError>(() => DurationOption.Parse("--wait", text));
            Assert.Equal(ErrorCodes.BadArgs, error.Code);
            Assert.StartsWith($"--wait: '{text}' is not a duration", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DurationOption_takes_zero_only_where_it_is_allowed()
    {
        Assert.Equal(TimeSpan.Zero, DurationOption.Parse("--idle-exit", "0", allowZero: true));
        Assert.Throws<CliError>(() => DurationOption.Parse("--idle-exit", "soon", allowZero: true));
        Assert.Throws<CliError>(() => DurationOption.Parse("--wait", "0"));
    }
}
