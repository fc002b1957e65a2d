using System.CommandLine;
using System.Net.Sockets;
using NLog;
using Relay.Hub;
using Relay.Runtime;

namespace Relay.Cli.Commands;

/// <summary><c>relay hub</c>: runs the hub daemon; <c>status</c>, <c>stop</c> and <c>restart</c> manage it.</summary>
internal static class HubCommand
{
    private static readonly Option<bool> Detach = new("--detach")
    {
        Description = "Leave the caller's session and point stdio at /dev/null (how clients start the hub)",
    };

    private static readonly DurationOption IdleExit = new(
        "--idle-exit",
        "Exit this long after the last peer leaves, e.g. 90s, 5m (default 5m or $RELAY_HUB_IDLE_EXIT_MS; 0 = never)",
        allowZero: true);

    private static readonly DurationOption Hold = new(
        "--hold",
        "Hold asks for a Claude Code session whose channel left this long for its return, e.g. 3m (default 3m or $RELAY_HUB_HOLD_MS; 0 = its askers get peer_gone at once)",
        allowZero: true);

    private static readonly Option<bool> ForegroundLog = new("--foreground-log")
    {
        Description = "Also write the log to stderr (same as RELAY_LOG_STDERR=1)",
    };

    public static Command Create()
    {
        var command = new Command("hub", "Run the hub that routes messages between peers (clients start it on demand)")
        {
            Detach,
            IdleExit,
            Hold,
            ForegroundLog,
        };
        HubNatsOptions.AddTo(command);
        command.Subcommands.Add(HubStatusCommand.Create());
        command.Subcommands.Add(HubStopCommand.Create());
        command.Subcommands.Add(HubRestartCommand.Create());
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        TimeSpan? idleExit;
        TimeSpan? hold;
        try
        {
            idleExit = IdleExit.Read(parse);
            hold = Hold.Read(parse);
        }
        catch (CliError error)
        {
            return CliRunner.Fail(error, json: false);
        }

        InlineSocketCompletions.Enable();
        if (parse.GetValue(Detach))
        {
            // First, before anything opens the console.
            ProcessControl.Detach();
        }

        var dataDir = CliOptions.ResolveDataDir(parse);
        try
        {
            dataDir.EnsureExists();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"relay hub: cannot create the data dir {dataDir.Path}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var toStderr = parse.GetValue(ForegroundLog) || Environment.GetEnvironmentVariable("RELAY_LOG_STDERR") == "1";
        RelayLog.Configure(dataDir, "hub", toStderr);
        try
        {
            Relay.Hub.Nats.NatsSettings? nats;
            try
            {
                nats = HubNatsOptions.Resolve(parse, dataDir.Path);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidDataException)
            {
                await Console.Error.WriteLineAsync($"relay hub: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.BadArgs;
            }

            var options = HubOptions.FromEnvironment(dataDir.SocketPath, idleExit, hold) with { Nats = nats };
            using var server = new HubServer(options);
            // A hub that finds the path owned by another exits 0 quietly: the caller wanted a hub and there is one.
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
        {
            RelayLog.For("hub").Event(LogLevel.Error, "hub_failed", ex, ("socket", dataDir.SocketPath));
            await Console.Error.WriteLineAsync($"relay hub: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            RelayLog.Shutdown();
        }
    }
}
