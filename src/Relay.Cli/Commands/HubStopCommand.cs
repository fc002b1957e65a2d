using System.CommandLine;

namespace Relay.Cli.Commands;

/// <summary><c>relay hub stop</c>: stops the running hub (peers reconnect to a new one on their next request).</summary>
internal static class HubStopCommand
{
    public static Command Create()
    {
        var command = new Command("stop", "Stop the running hub: SIGTERM to its pid, SIGKILL after 5 s; waits until it is gone");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            try
            {
                var pid = await HubControl.StopAsync(dataDir, cancellationToken).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(pid is { } stopped ? $"stopped hub (pid {stopped})" : "no hub was running").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (InvalidOperationException ex)
            {
                await Console.Error.WriteLineAsync($"relay: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
