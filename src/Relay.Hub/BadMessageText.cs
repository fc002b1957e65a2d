using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Hub;

/// <summary>
/// Short, fixed descriptions of why a line was rejected. Parser messages can quote the offending input (and in the
/// trimmed build they are bare resource keys), and the hub never echoes peer text back, so the line is looked at
/// again here, on the error path only, and only the kind of problem and a schema field name are reported.
/// </summary>
internal static class BadMessageText
{
    private const int MaxDepth = 16;

    private static readonly HashSet<string> s_clientTypes = new(StringComparer.Ordinal)
    {
        MessageTypes.Register, MessageTypes.Rename, MessageTypes.ListPeers, MessageTypes.Ask, MessageTypes.Reply,
        MessageTypes.Broadcast, MessageTypes.Watch, MessageTypes.HubStatus,
    };

    public static string Describe(in ReadOnlySequence<byte> line, RelayJsonException error) =>
        line.IsSingleSegment ? Describe(line.FirstSpan, error) : Describe(line.ToArray(), error);

    public static string Describe(ReadOnlySpan<byte> line, RelayJsonException error)
    {
        if (!Utf8.IsValid(line))
        {
            return "invalid UTF-8";
        }

        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
        string? type = null;
        var typeSeen = false;
        try
        {
            if (!reader.Read())
            {
                return "malformed JSON";
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                return "the line is JSON null, not a message object";
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return "the line is not a JSON object";
            }

            while (reader.Read())
            {
                if (reader.CurrentDepth > MaxDepth)
                {
                    return "JSON nested too deeply";
                }

                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    typeSeen = true;
                    // Compared, never decoded: a string with lone surrogate escapes ("\udfff") cannot be decoded.
                    type = reader.TokenType == JsonTokenType.String ? ClientType(ref reader) : null;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return "malformed JSON";
        }

        if (!typeSeen || type is null)
        {
            return "missing or unknown \"type\"";
        }

        if (error.InnerException is JsonException { Path: { } path } && IsSchemaPath(path))
        {
            return $"{type}: wrong type or null for {path[2..]}";
        }

        return $"{type}: a required field is missing or has the wrong type";
    }

    /// <summary>The client message type the current string token spells, or null.</summary>
    private static string? ClientType(ref Utf8JsonReader reader)
    {
        foreach (var type in s_clientTypes)
        {
            if (reader.ValueTextEquals(type))
            {
                return type;
            }
        }

        return null;
    }

    private static bool IsSchemaPath(string path)
    {
        if (path.Length is <= 2 or > 34 || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in path.AsSpan(2))
        {
            if (!(char.IsAsciiLetterLower(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
