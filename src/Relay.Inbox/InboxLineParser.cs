using System.Text.Json;

namespace Relay.Inbox;

/// <summary>What one line read from our inbox socket turned out to be.</summary>
public enum InboxLineKind
{
    /// <summary>Not JSON, not an object, too deep, or invalid UTF-8.</summary>
    Invalid,

    /// <summary>Valid JSON that is neither a receipt nor a user message (auth lines, other control actions, …).</summary>
    Other,

    /// <summary>A <c>peer_message_status</c> control line.</summary>
    Receipt,

    /// <summary>A <c>type:"user"</c> line with a non-empty string <c>message.content</c>.</summary>
    Message,
}

/// <summary>Parses lines other sessions write to our socket. Never throws on any input.</summary>
public static class InboxLineParser
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    public static InboxLineKind Parse(ReadOnlySpan<byte> line, out InboxReceipt? receipt, out InboxIncomingMessage? message)
    {
        receipt = null;
        message = null;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = Options.MaxDepth });
            using var document = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != line.Length && !IsWhitespace(line[(int)reader.BytesConsumed..]))
            {
                return InboxLineKind.Invalid;
            }

            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return InboxLineKind.Invalid;
            }

            switch (String(root, "type"))
            {
                case "control" when String(root, "action") == "peer_message_status":
                    receipt = ReadReceipt(root);
                    return InboxLineKind.Receipt;
                case "user":
                    message = ReadMessage(root);
                    return message is null ? InboxLineKind.Other : InboxLineKind.Message;
                default:
                    return InboxLineKind.Other;
            }
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return InboxLineKind.Invalid;
        }
    }

    private static InboxReceipt ReadReceipt(JsonElement root)
    {
        var status = String(root, "status");
        var detail = String(root, "status_detail");
        var normalized = status switch
        {
            "expired" when detail == "refused" => InboxReceiptStatus.Refused,
            "delivered" => InboxReceiptStatus.Delivered,
            "held" => InboxReceiptStatus.Held,
            "expired" => InboxReceiptStatus.Expired,
            "refused" => InboxReceiptStatus.Refused,
            "dropped" => InboxReceiptStatus.Dropped,
            "denied" => InboxReceiptStatus.Denied,
            _ => InboxReceiptStatus.Unknown,
        };
        var dropped = new List<string>();
        if (root.TryGetProperty("dropped_msg_ids", out var ids) && ids.ValueKind == JsonValueKind.Array)
        {
            foreach (var id in ids.EnumerateArray())
            {
                if (id.ValueKind == JsonValueKind.String && dropped.Count < 1000)
                {
                    dropped.Add(id.GetString()!);
                }
            }
        }

        return new InboxReceipt(
            normalized,
            status,
            String(root, "orig_msg_id"),
            String(root, "from"),
            String(root, "reason"),
            detail,
            String(root, "drop_reason"),
            dropped,
            String(root, "msg_id"));
    }

    private static InboxIncomingMessage? ReadMessage(JsonElement root)
    {
        if (!root.TryGetProperty("message", out var inner) || inner.ValueKind != JsonValueKind.Object
            || String(inner, "content") is not { Length: > 0 } content)
        {
            return null;
        }

        var lineFrom = String(root, "from");
        var envelope = InboxEnvelope.TryParse(content);
        return envelope is null
            ? new InboxIncomingMessage(String(root, "msg_id"), lineFrom, null, null, content, lineFrom, content, null)
            : new InboxIncomingMessage(String(root, "msg_id"), envelope.From ?? lineFrom, envelope.FromName, envelope.FromMode, envelope.Body, lineFrom, content, envelope);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsWhitespace(ReadOnlySpan<byte> rest) => !rest.ContainsAnyExcept(" \t\r\n"u8);
}
