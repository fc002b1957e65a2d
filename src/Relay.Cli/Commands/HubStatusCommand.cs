using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
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
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            var status = await HubControl.QueryAsync(dataDir.SocketPath, cancellationToken).ConfigureAwait(false);
            if (status is null)
            {
                await Console.Error.WriteLineAsync($"relay: no hub is running at {dataDir.SocketPath}").ConfigureAwait(false);
                return ExitCodes.HubUnreachable;
            }

            var text = parse.GetValue(CliOptions.Json) ? ToJson(status) : ToText(status);
            await Console.Out.WriteLineAsync(text).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ToText(HubStatusReplyMessage status)
    {
        var culture = CultureInfo.InvariantCulture;
        return string.Join(
            '\n',
            string.Create(culture, $"hub       running, pid {status.Pid}, up {Durations.Format(TimeSpan.FromMilliseconds(status.UptimeMs))}"),
            $"socket    {status.Socket}",
            string.Create(culture, $"protocol  {status.ProtocolVersion} (relay {status.Version ?? "?"})"),
            string.Create(culture, $"peers     {status.PeerCount}"),
            string.Create(culture, $"pending   {status.PendingAsks} asks"),
            string.Create(culture, $"observers {status.Observers}"));
    }

    private static string ToJson(HubStatusReplyMessage status)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("pid", status.Pid);
            json.WriteNumber("uptime_ms", status.UptimeMs);
            json.WriteString("started_at", status.StartedAt);
            json.WriteString("socket", status.Socket);
            json.WriteNumber("protocol_version", status.ProtocolVersion);
            json.WriteString("version", status.Version);
            json.WriteNumber("peer_count", status.PeerCount);
            json.WriteNumber("pending_asks", status.PendingAsks);
            json.WriteNumber("observers", status.Observers);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
