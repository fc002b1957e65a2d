using System.CommandLine;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;

namespace Relay.Cli.Commands;

/// <summary><c>relay hub restart</c>: stops the running hub (if any) and starts a detached one.</summary>
internal static class HubRestartCommand
{
    public static Command Create()
    {
        var command = new Command("restart", "Stop the running hub (if any), start a new detached one, and wait until it answers");
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            if (await HubControl.StopAsync(dataDir, cancellationToken).ConfigureAwait(false) is { } stopped)
            {
                await Console.Out.WriteLineAsync($"stopped hub (pid {stopped})").ConfigureAwait(false);
            }

            try
            {
                await using var client = await HubConnector.ConnectAsync(dataDir, spawn: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                var status = await client.RequestAsync(new HubStatusMessage(), cancellationToken).ConfigureAwait(false) as HubStatusReplyMessage;
                await Console.Out.WriteLineAsync($"started hub (pid {status?.Pid}) at {dataDir.SocketPath}").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (HubUnreachableException ex)
            {
                throw new CliError(ErrorCodes.HubUnreachable, $"the new hub did not answer: {ex.Message}");
            }
        });
        return command;
    }
}
