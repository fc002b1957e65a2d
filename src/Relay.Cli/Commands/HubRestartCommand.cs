using System.CommandLine;
using Relay.Protocol.Client;
using Relay.Protocol.Messages;

namespace Relay.Cli.Commands;

/// <summary><c>relay hub restart</c>: stops the running hub (if any) and starts a detached one.</summary>
internal static class HubRestartCommand
{
    public static Command Create()
    {
        var command = new Command("restart", "Stop the running hub (if any), start a new detached one, and wait until it answers");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            try
            {
                if (await HubControl.StopAsync(dataDir, cancellationToken).ConfigureAwait(false) is { } stopped)
                {
                    await Console.Out.WriteLineAsync($"stopped hub (pid {stopped})").ConfigureAwait(false);
                }

                await using var client = await HubConnector.ConnectAsync(dataDir, spawn: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                var status = await client.RequestAsync(new HubStatusMessage(), cancellationToken).ConfigureAwait(false) as HubStatusReplyMessage;
                await Console.Out.WriteLineAsync($"started hub (pid {status?.Pid}) at {dataDir.SocketPath}").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (HubUnreachableException ex)
            {
                await Console.Error.WriteLineAsync($"relay: the new hub did not answer: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.HubUnreachable;
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
