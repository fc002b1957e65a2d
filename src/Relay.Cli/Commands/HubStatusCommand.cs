using System.CommandLine;
using System.Globalization;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Cli.Commands;

/// <summary><c>relay hub status [--json]</c>: is a hub running, and what is it doing.</summary>
internal static class HubStatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show the running hub: pid, uptime, socket, protocol, peers, pending asks, observers")
        {
            CliOptions.Json,
        };
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            var status = await HubControl.QueryAsync(dataDir.SocketPath, cancellationToken).ConfigureAwait(false)
                ?? throw new CliError(ErrorCodes.HubUnreachable, $"no hub is running at {dataDir.SocketPath}");
            if (parse.GetValue(CliOptions.Json))
            {
                CliJson.WriteLine(HubStatusOutput.From(status), CliJson.Context.HubStatusOutput);
            }
            else
            {
                await Console.Out.WriteLineAsync(ToText(status)).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ToText(HubStatusReplyMessage status)
    {
        var culture = CultureInfo.InvariantCulture;
        List<string> lines =
        [
            string.Create(culture, $"hub       running, pid {status.Pid}, up {Durations.Format(TimeSpan.FromMilliseconds(status.UptimeMs))}"),
            $"socket    {status.Socket}",
            string.Create(culture, $"protocol  {status.ProtocolVersion} (relay {status.Version ?? "?"})"),
            string.Create(culture, $"peers     {status.PeerCount}"),
            string.Create(culture, $"pending   {status.PendingAsks} asks"),
            string.Create(culture, $"away      {status.AwayPeers ?? 0} sessions ({status.HeldAsks ?? 0} asks held for their return)"),
            string.Create(culture, $"observers {status.Observers}"),
        ];
        if (status.Nats is { } nats)
        {
            lines.Add("nats      " + NatsLine(nats));
        }

        return string.Join('\n', lines);
    }

    private static string LiveNote(NatsStatusInfo nats) =>
        nats.LiveRefused ? " (live refused by the server's permissions)" : nats.LiveTimeoutMs == 0 ? " (live off)" : "";

    /// <summary>The hub's place in its NATS space, with the last error while it is not joined (relay doctor says what to do).</summary>
    private static string NatsLine(NatsStatusInfo nats) => nats.State switch
    {
        "joined" => string.Create(CultureInfo.InvariantCulture, $"host {nats.Host} joined space {nats.Space} via {nats.Server ?? nats.Urls}, {nats.RemotePeers} remote peer(s); sent {nats.SentLive} live, {nats.SentDurable} through the stream{LiveNote(nats)}"),
        "disconnected" => $"host {nats.Host} lost its link to {nats.Urls} ({nats.LastError ?? "reconnecting"})",
        _ => $"host {nats.Host} has not joined space {nats.Space} at {nats.Urls}: {nats.LastError ?? "still connecting"}",
    };
}
