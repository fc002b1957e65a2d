using System.CommandLine;

namespace Relay.Cli.Commands;

/// <summary><c>relay hub stop</c>: stops the running hub (peers reconnect to a new one on their next request).</summary>
internal static class HubStopCommand
{
    public static Command Create()
    {
        var command = new Command("stop", "Stop the running hub: SIGTERM to its pid, SIGKILL after 5 s; waits until it is gone");
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var pid = await HubControl.StopAsync(CliOptions.ResolveDataDir(parse), cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(pid is { } stopped ? $"stopped hub (pid {stopped})" : "no hub was running").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
