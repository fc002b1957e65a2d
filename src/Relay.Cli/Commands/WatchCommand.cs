using System.CommandLine;
using System.Threading.Channels;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;

namespace Relay.Cli.Commands;

/// <summary><c>relay watch</c>: a live view of hub traffic as a read-only observer (not a peer, cannot be asked).</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var command = new Command("watch", "Print one line per hub event (register, rename, ask, reply, timeout, peer_gone, broadcast) until Ctrl-C (does not start a hub)")
        {
            CliOptions.Json,
        };
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            var json = parse.GetValue(CliOptions.Json);
            var events = Channel.CreateUnbounded<HubEventMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            await using var hub = await HubConnector.ConnectAsync(dataDir, spawn: false, message =>
            {
                if (message is HubEventMessage e)
                {
                    events.Writer.TryWrite(e);
                }
            }, cancellationToken);
            _ = hub.Completion.ContinueWith(_ => events.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            var answer = await hub.RequestAsync(new WatchMessage { ProtocolVersion = Protocol.ProtocolVersion.Current }, cancellationToken);
            if (answer is ErrMessage err)
            {
                throw CliRunner.FromErr(err);
            }

            if (!json)
            {
                Console.Error.WriteLine($"watching the hub at {hub.SocketPath} (Ctrl-C to stop)");
            }

            await foreach (var e in events.Reader.ReadAllAsync(cancellationToken))
            {
                if (json)
                {
                    CliJson.WriteLine(e, CliJson.Context.HubEventMessage);
                }
                else
                {
                    Console.Out.WriteLine(WatchFormatter.Format(e));
                }
            }

            throw new CliError(ErrorCodes.HubUnreachable, "the hub closed the connection");
        });
        return command;
    }
}
