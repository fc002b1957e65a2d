using System.Globalization;
using System.Text;
using Relay.Protocol.Messages;

namespace Relay.Cli;

/// <summary>One human line per hub event: local time, event name, who, and the ids and figures that matter.</summary>
internal static class WatchFormatter
{
    public static string Format(HubEventMessage e)
    {
        var line = new StringBuilder();
        line.Append(e.At.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture));
        line.Append(' ').Append(e.Event.PadRight(13));
        var who = e.Event switch
        {
            HubEvents.PeerRename => $"{e.OldName} -> {e.Name}",
            _ when e.From is not null && e.To is not null => $"{e.From} -> {e.To}",
            _ when e.From is not null => e.From,
            _ => e.Name ?? e.To,
        };
        if (who is not null)
        {
            line.Append(' ').Append(who);
        }

        if (e.Kind is { } kind)
        {
            line.Append(" (").Append(Commands.PeersCommand.KindLabel(kind)).Append(')');
        }

        Append(line, "status", e.Status);
        Append(line, "via", e.Delivery);
        Append(line, "ask_id", e.AskId);
        Append(line, "broadcast_id", e.BroadcastId);
        Append(line, "thread", e.ThreadId);
        if (e.PeerCount is { } count)
        {
            Append(line, "peers", count.ToString(CultureInfo.InvariantCulture));
        }

        if (e.Bytes is { } bytes)
        {
            Append(line, "bytes", bytes.ToString(CultureInfo.InvariantCulture));
        }

        if (e.LatencyMs is { } latency)
        {
            Append(line, "latency", latency.ToString(latency < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "ms");
        }

        return line.ToString();
    }

    private static void Append(StringBuilder line, string key, string? value)
    {
        if (value is not null)
        {
            line.Append(' ').Append(key).Append('=').Append(value);
        }
    }
}
