using System.CommandLine;
using Relay.Cli.Doctor;
using Relay.Cli.Doctor.Sessions;
using Relay.Inbox;

namespace Relay.Cli.Commands;

/// <summary><c>relay doctor</c>: checks everything relay depends on and says how to fix what is off. Never changes anything.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the data dir, socket, hub, relay mcp processes, plugin install, logs and how relay reaches each Claude Code session; print a fix for each problem (exit 1 on a problem)")
        {
            CliOptions.Json,
        };
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            var checks = new List<DoctorCheck>
            {
                FileChecks.DataDirInUse(dataDir),
                FileChecks.DataDirMode(dataDir),
                FileChecks.SocketMode(dataDir),
            };
            checks.AddRange(await HubChecks.RunAsync(dataDir, cancellationToken));
            checks.Add(McpProcessCheck.Run(dataDir));
            checks.Add(PluginChecks.Installed());
            checks.Add(PluginChecks.Enabled());
            checks.Add(LauncherCheck.Run());
            checks.Add(FileChecks.LogDir(dataDir));
            checks.AddRange(SessionChecks.Run(ClaudeHome.Resolve()));
            checks.Add(await HubChecks.OtherDataDirsAsync(dataDir, cancellationToken));

            var failed = checks.Count(c => c.Status == CheckStatus.Fail);
            if (parse.GetValue(CliOptions.Json))
            {
                CliJson.WriteLine(new DoctorReport { Ok = failed == 0, DataDir = dataDir.Path, Source = dataDir.Source, Socket = dataDir.SocketPath, Checks = checks }, CliJson.Context.DoctorReport);
            }
            else
            {
                Print(checks);
            }

            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static void Print(List<DoctorCheck> checks)
    {
        var width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            var tag = check.Status switch
            {
                CheckStatus.Ok => "ok  ",
                CheckStatus.Warn => "warn",
                CheckStatus.Fail => "FAIL",
                _ => "info",
            };
            Console.Out.WriteLine($"{tag}  {check.Name.PadRight(width)}  {check.Message}");
            if (check.Fix is { } fix)
            {
                Console.Out.WriteLine($"{new string(' ', 6 + width)}  fix: {fix}");
            }
        }

        var failed = checks.Count(c => c.Status == CheckStatus.Fail);
        var warned = checks.Count(c => c.Status == CheckStatus.Warn);
        Console.Out.WriteLine(failed == 0 && warned == 0 ? "all good" : $"{failed} problem(s), {warned} warning(s)");
    }
}
