using System.Text.Json;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

/// <summary>
/// A data dir that is group/world-writable or another user's is refused by every role (hub, channel, CLI) with
/// exit code 11 and a message naming the fix; <c>relay doctor</c> reports it as a failed check with that fix.
/// </summary>
public sealed class UnsafeDataDirTests
{
    private const int UnsafeDataDirExit = 11;

    public static TheoryData<string, UnixFileMode, string> WritableModes => new()
    {
        { "group-writable", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute, "0770" },
        { "world-writable", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute, "0703" },
    };

    [Theory]
    [MemberData(nameof(WritableModes))]
    public async Task A_writable_data_dir_is_refused_by_hub_channel_and_cli_and_reported_by_doctor(string what, UnixFileMode mode, string octal)
    {
        await using var sandbox = new RelaySandbox();
        Directory.CreateDirectory(sandbox.DataDir);
        File.SetUnixFileMode(sandbox.DataDir, mode);
        var fix = "chmod 700 " + sandbox.DataDir;

        await AssertEveryRoleRefusesAsync(sandbox, [what, octal, fix]);

        var doctor = await sandbox.RunAsync(["doctor", "--json"]);
        Assert.True(doctor.ExitCode == 1, doctor.ToString());
        var check = DataDirCheck(doctor);
        Assert.Equal("fail", check.GetProperty("status").GetString());
        Assert.Contains(what, check.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith(fix, check.GetProperty("fix").GetString(), StringComparison.Ordinal);

        // The fix works.
        File.SetUnixFileMode(sandbox.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var peers = await sandbox.RunAsync(["peers"]);
        Assert.DoesNotContain("unsafe data dir", peers.Stderr, StringComparison.Ordinal);
    }

    [OtherUserFact]
    public async Task A_data_dir_owned_by_another_user_is_refused_by_every_role_even_with_mode_0700()
    {
        await using var sandbox = new RelaySandbox();
        Directory.CreateDirectory(sandbox.DataDir);
        File.SetUnixFileMode(sandbox.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var chown = TrackedProcess.Start("chown", [OtherUser.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), sandbox.DataDir]);
        await using (chown)
        {
            Assert.Equal(0, await chown.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        try
        {
            await AssertEveryRoleRefusesAsync(sandbox, [$"owned by uid {OtherUser.Uid}", "--data-dir"]);

            var doctor = await sandbox.RunAsync(["doctor", "--json"]);
            Assert.True(doctor.ExitCode == 1, doctor.ToString());
            var check = DataDirCheck(doctor);
            Assert.Equal("fail", check.GetProperty("status").GetString());
            Assert.Contains("choose a data dir of your own", check.GetProperty("fix").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            // Root deletes it anyway; hand it back so nothing depends on that.
            File.SetUnixFileMode(sandbox.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static async Task AssertEveryRoleRefusesAsync(RelaySandbox sandbox, string[] expected)
    {
        // The channel ($CLAUDE_PLUGIN_DATA), the hub (--data-dir, as clients spawn it) and a CLI command.
        string[][] roles = [["mcp"], ["hub", "--data-dir", sandbox.DataDir], ["peers"], ["ask", "bob", "hi"]];
        foreach (var role in roles)
        {
            var result = await sandbox.RunAsync(role);
            var label = string.Join(' ', role);
            Assert.True(result.ExitCode == UnsafeDataDirExit, label + ": " + result);
            Assert.Contains("relay: refusing an unsafe data dir: ", result.Stderr, StringComparison.Ordinal);
            foreach (var text in expected)
            {
                Assert.True(result.Stderr.Contains(text, StringComparison.Ordinal), $"{label}: stderr lacks '{text}': {result.Stderr}");
            }

            Assert.Equal(string.Empty, result.Stdout);
        }

        // Nothing was created in it: no socket, no logs.
        Assert.False(File.Exists(sandbox.SocketPath));
        Assert.False(Directory.Exists(Path.Combine(sandbox.DataDir, "logs")));
    }

    private static JsonElement DataDirCheck(CliResult doctor) =>
        doctor.Json().GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "data dir");
}
