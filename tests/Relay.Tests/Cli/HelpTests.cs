using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

public sealed class HelpTests
{
    [Theory]
    [InlineData("peers")]
    [InlineData("ask")]
    [InlineData("broadcast")]
    [InlineData("listen")]
    [InlineData("reply")]
    [InlineData("watch")]
    [InlineData("doctor")]
    [InlineData("logs")]
    public async Task Every_command_prints_help_with_usage_and_a_json_option(string command)
    {
        await using var sandbox = new RelaySandbox();

        var result = await sandbox.RunAsync([command, "--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"relay {command}", result.Stdout);
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("--data-dir", result.Stdout);
        Assert.Contains("--json", result.Stdout);
    }

    [Fact]
    public async Task A_usage_error_prints_one_bad_args_line_per_problem_and_exits_9()
    {
        await using var sandbox = new RelaySandbox();

        var result = await sandbox.RunAsync(["peers", "--bogus"]);

        Assert.Equal(9, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines[..^1], line => Assert.StartsWith("relay: bad_args: ", line));
        Assert.Contains(lines, line => line.Contains("'--bogus'", StringComparison.Ordinal));
        Assert.Equal("hint: `relay peers --help` shows the usage", lines[^1]);
        Assert.Equal(string.Empty, result.Stdout);
    }
}
