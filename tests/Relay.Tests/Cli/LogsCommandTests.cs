using System.Globalization;
using Relay.Protocol;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

public sealed class LogsCommandTests
{
    private static string Line(DateTimeOffset ts, string level, string evt, string extra = "") =>
        $"{{\"ts\":\"{ts.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)}\",\"level\":\"{level}\",\"role\":\"hub\",\"component\":\"registry\",\"event\":\"{evt}\",\"pid\":42{extra}}}\n";

    private static string LogFile(RelaySandbox sandbox, DateTime day)
    {
        var dir = Path.Combine(sandbox.DataDir, "logs");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"relay-{day:yyyy-MM-dd}.log");
    }

    [Fact]
    public async Task Logs_prints_one_readable_line_per_event_oldest_file_first()
    {
        await using var sandbox = new RelaySandbox();
        var now = DateTimeOffset.Now;
        File.WriteAllText(LogFile(sandbox, now.Date.AddDays(-1)), Line(now.AddDays(-1), "info", HubLogEvents.PeerRegister, ",\"name\":\"alice\""));
        File.WriteAllText(LogFile(sandbox, now.Date), Line(now, "warn", HubLogEvents.AskTimeout, ",\"ask_id\":\"a-1\",\"note\":\"two words\""));

        var result = await sandbox.RunAsync(["logs"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO +hub +registry +peer_register pid=42 name=alice$", lines[0]);
        Assert.Matches("WARN +hub +registry +ask_timeout pid=42 ask_id=a-1 note=\"two words\"$", lines[1]);
    }

    [Fact]
    public async Task Logs_level_and_since_filter_and_json_passes_raw_lines()
    {
        await using var sandbox = new RelaySandbox();
        var now = DateTimeOffset.Now;
        var old = Line(now.AddHours(-2), "error", "old_error");
        var info = Line(now, "info", "chatter");
        var warn = Line(now, "warn", "recent_warning");
        File.WriteAllText(LogFile(sandbox, now.Date), old + info + warn);

        var result = await sandbox.RunAsync(["logs", "--level", "warn", "--since", "10m", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(warn, result.Stdout);
    }

    [Fact]
    public async Task Logs_follow_picks_up_new_lines_and_the_next_days_file()
    {
        await using var sandbox = new RelaySandbox();
        var now = DateTimeOffset.Now;
        var today = LogFile(sandbox, now.Date);
        File.WriteAllText(today, Line(now, "info", "first"));
        var follow = sandbox.StartRelay(["logs", "-f", "--json"]);
        await Poll.UntilAsync(() => follow.Stdout.Contains("first", StringComparison.Ordinal), "the existing line");

        // A line written in two pieces is printed once, whole.
        var second = Line(now, "info", "second");
        File.AppendAllText(today, second[..10]);
        await Task.Delay(100);
        File.AppendAllText(today, second[10..]);
        await Poll.UntilAsync(() => follow.Stdout.Contains("second", StringComparison.Ordinal), "the appended line");
        File.WriteAllText(LogFile(sandbox, now.Date.AddDays(1)), Line(now, "info", "after_midnight"));
        await Poll.UntilAsync(() => follow.Stdout.Contains("after_midnight", StringComparison.Ordinal), "the next day's line");

        Assert.Equal(3, follow.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(second, follow.Stdout);
        follow.Signal(Posix.SIGINT);
        Assert.Equal(130, await follow.WaitForExitAsync());
    }

    [Fact]
    public async Task Logs_with_a_bad_level_exits_9()
    {
        await using var sandbox = new RelaySandbox();

        var result = await sandbox.RunAsync(["logs", "--level", "loud"]);

        Assert.Equal(9, result.ExitCode);
        Assert.StartsWith("relay: bad_args: --level", result.Stderr);
    }
}
