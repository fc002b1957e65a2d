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

            string? name = null;
            string? nameSource = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                var isSource = reader.ValueTextEquals("nameSource"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (reader.TokenType == JsonTokenType.String && (isName || isSource))
                {
                    if (isName)
                    {
                        name = reader.GetString();
                    }
                    else
                    {
                        nameSource = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            // A cut-off file never reaches the closing brace: treat it as unreadable and wait for the next write.
            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
            {
                return null;
            }

            return nameSource == "derived" || string.IsNullOrWhiteSpace(name) ? null : name;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
