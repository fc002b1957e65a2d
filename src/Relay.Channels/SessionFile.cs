using System.Text.Json;

namespace Relay.Channels;

/// <summary>Reads Claude Code's <c>~/.claude/sessions/&lt;pid&gt;.json</c>.</summary>
internal static class SessionFile
{
    /// <summary>
    /// The session name a user chose, or null when the file is missing, half-written, has no name, or holds the
    /// name Claude Code derived by itself (<c>"nameSource":"derived"</c>).
    /// </summary>
    public static string? TryReadUserName(string path)
    {
        if (TryReadStrings(path) is not { } fields)
        {
            return null;
        }

        fields.TryGetValue("name", out var name);
        fields.TryGetValue("nameSource", out var nameSource);
        return nameSource == "derived" || string.IsNullOrWhiteSpace(name) ? null : name;
    }

    /// <summary>One top-level string field of the file (for example <c>sessionId</c> or <c>messagingSocketPath</c>).</summary>
    public static string? TryReadString(string path, string field) =>
        TryReadStrings(path) is { } fields && fields.TryGetValue(field, out var value) ? value : null;

    /// <summary>
    /// The file's top-level string fields, or null when it is missing, unreadable or half-written (a cut-off file
    /// never reaches its closing brace: the next write will complete it).
    /// </summary>
    private static Dictionary<string, string>? TryReadStrings(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!reader.Read())
                {
                    return null;
                }

                if (reader.TokenType == JsonTokenType.String)
                {
                    fields[name] = reader.GetString()!;
                }
                else
                {
                    reader.Skip();
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0 ? fields : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
