using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Relay.Protocol.Messages;

namespace Relay.Protocol;

/// <summary>Serializes and parses wire lines through <see cref="RelayJsonContext"/>.</summary>
public static class RelayJson
{
    /// <summary>
    /// The context with a relaxed encoder: peer text (unicode, quotes, &lt;) goes out as is, which keeps lines short
    /// and readable in <c>relay watch</c>. JSON stays valid: control characters and backslashes are still escaped.
    /// </summary>
    /// (Copied from the generated options: options passed to a context's constructor replace its
    /// [JsonSourceGenerationOptions], which would lose snake_case names and null skipping.)
    public static readonly RelayJsonContext Context = new(new JsonSerializerOptions(RelayJsonContext.Default.Options)
    {
        TypeInfoResolver = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static JsonTypeInfo<ClientMessage> ClientInfo => Context.ClientMessage;
    private static JsonTypeInfo<ServerMessage> ServerInfo => Context.ServerMessage;

    /// <summary>UTF-8 JSON of one line, without the trailing newline.</summary>
    public static byte[] Serialize(ClientMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, ClientInfo);

    /// <summary>UTF-8 JSON of one line, without the trailing newline.</summary>
    public static byte[] Serialize(ServerMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, ServerInfo);

    /// <summary>Parses a client line. Throws <see cref="RelayJsonException"/> for anything that is not a valid message.</summary>
    public static ClientMessage ParseClient(ReadOnlySpan<byte> line) => Parse(line, ClientInfo);

    /// <summary>Parses a hub line. Throws <see cref="RelayJsonException"/> for anything that is not a valid message.</summary>
    public static ServerMessage ParseServer(ReadOnlySpan<byte> line) => Parse(line, ServerInfo);

    public static ClientMessage ParseClient(in ReadOnlySequence<byte> line) =>
        line.IsSingleSegment ? ParseClient(line.FirstSpan) : ParseClient(line.ToArray());

    public static ServerMessage ParseServer(in ReadOnlySequence<byte> line) =>
        line.IsSingleSegment ? ParseServer(line.FirstSpan) : ParseServer(line.ToArray());

    private static T Parse<T>(ReadOnlySpan<byte> line, JsonTypeInfo<T> info)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(line, info) ?? throw new RelayJsonException("the line is JSON null, not a message");
        }
        catch (JsonException ex)
        {
            throw new RelayJsonException(Describe(ex), ex);
        }
        catch (NotSupportedException ex)
        {
            // An unknown or missing "type" lands here: the base type is abstract.
            throw new RelayJsonException("missing or unknown \"type\"", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new RelayJsonException("invalid message: " + ex.Message, ex);
        }
        catch (ArgumentException ex)
        {
            throw new RelayJsonException("invalid text encoding: " + ex.Message, ex);
        }
    }

    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        // Keep errors to one short line; never echo peer text back.
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        if (cut > 0 && ex.Path is { Length: > 0 } path)
        {
            message = message[..cut] + " at " + path;
        }

        return message.Length > 300 ? message[..300] : message;
    }

    /// <summary>Best effort: the <c>req_id</c> of a line that failed to parse, so the error can be correlated.</summary>
    public static string? TryReadReqId(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read())
            {
                if (reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("req_id"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return null;
                    }

                    var value = reader.GetString();
                    return value is { Length: <= Limits.MaxIdLength } ? value : null;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
        }

        return null;
    }

    public static string? TryReadReqId(in ReadOnlySequence<byte> line) =>
        line.IsSingleSegment ? TryReadReqId(line.FirstSpan) : TryReadReqId(line.ToArray());
}

/// <summary>A line that is not a valid relay message.</summary>
public sealed class RelayJsonException : Exception
{
    public RelayJsonException()
    {
    }

    public RelayJsonException(string message)
        : base(message)
    {
    }

    public RelayJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
