using System.Globalization;
using Relay.Cli.Logs;
using Relay.Protocol;
using Xunit;

namespace Relay.UnitTests.Cli;

/// <summary>Filtering and pretty-printing one JSON log line.</summary>
public sealed class LogLineTests
{
    private const string Timeout = """{"ts":"2026-12-01T09:00:00.123+00:00","level":"warn","role":"hub","component":"registry","event":"ask_timeout","pid":42,"ask_id":"a-1","note":"two words"}""";

    [Theory]
    [InlineData("trace", 0)]
    [InlineData("DEBUG", 1)]
    [InlineData("information", 2)]
    [InlineData("Warning", 3)]
    [InlineData(" error ", 4)]
    [InlineData("critical", 5)]
    [InlineData("loud", -1)]
    [InlineData(null, -1)]
    public void Levels_rank_with_their_common_aliases(string? level, int rank)
    {
        Assert.Equal(rank, LogLine.Rank(level));
        if (level is not null)
        {
            Assert.Equal(rank >= 0, LogLine.IsLevel(level));
        }
    }

    [Fact]
    public void A_line_is_pretty_printed_with_its_fields_in_order()
    {
        var text = LogLine.Render(Timeout, 0, null, json: false);
        var local = DateTimeOffset.Parse("2026-12-01T09:00:00.123+00:00", CultureInfo.InvariantCulture).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        Assert.Equal($"{local} WARN  hub     registry   {HubLogEvents.AskTimeout} pid=42 ask_id=a-1 note=\"two words\"", text);
        Assert.Equal(Timeout, LogLine.Render(Timeout, 0, null, json: true));
    }

    [Fact]
    public void Lines_below_the_level_or_before_since_are_filtered_out()
    {
        Assert.Null(LogLine.Render(Timeout, LogLine.Rank("error"), null, json: true));
        Assert.NotNull(LogLine.Render(Timeout, LogLine.Rank("warn"), null, json: true));
        var at = DateTimeOffset.Parse("2026-12-01T09:00:00.123+00:00", CultureInfo.InvariantCulture);
        Assert.Null(LogLine.Render(Timeout, 0, at.AddTicks(1), json: true));
        Assert.NotNull(LogLine.Render(Timeout, 0, at, json: true));
    }

    [Fact]
    public void A_non_json_line_passes_through_unless_filtering_and_an_empty_one_is_dropped()
    {
        Assert.Equal("half a line {\"ts", LogLine.Render("half a line {\"ts", 0, null, json: false));
        Assert.Null(LogLine.Render("half a line {\"ts", 3, null, json: false));
        Assert.Null(LogLine.Render("half a line {\"ts", 0, DateTimeOffset.UnixEpoch, json: false));
        Assert.Equal("[1,2]", LogLine.Render("[1,2]", 0, null, json: false));
        Assert.Null(LogLine.Render(string.Empty, 0, null, json: false));
    }

    [Fact]
    public void An_error_is_indented_under_the_line_and_missing_parts_show_as_dashes()
    {
        var text = LogLine.Render("""{"event":"hub_error","error":"boom\n  at Here()"}""", 0, null, json: false);
        Assert.Equal($"{"-",-23} ?     -       -          hub_error\n    boom\n      at Here()", text);
    }
}
