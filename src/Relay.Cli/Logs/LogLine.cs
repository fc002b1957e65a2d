using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Relay.Cli.Logs;

/// <summary>Reads one JSON log line (as <c>RelayLog</c> writes it) for filtering and pretty-printing.</summary>
internal static class LogLine
{
    private static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "fatal"];

    /// <summary>0 (trace) … 5 (fatal); -1 for an unknown name.</summary>
    public static int Rank(string? level) => level is null ? -1 : Array.IndexOf(Levels, NormalizeLevel(level));

    public static string NormalizeLevel(string level) => level.Trim().ToLowerInvariant() switch
    {
        "warning" => "warn",
        "information" => "info",
        "critical" => "fatal",
        var other => other,
    };

    public static bool IsLevel(string level) => Rank(level) >= 0;

    /// <summary>
    /// Filters and formats one raw line. Returns null when the line is filtered out. A line that is not JSON passes
    /// through as is (it may be a half-written line or another tool's output).
    /// </summary>
    public static string? Render(string raw, int minRank, DateTimeOffset? since, bool json)
    {
        if (raw.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(raw);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return raw;
            }

            var level = String(root, "level");
            if (minRank > 0 && Rank(level) < minRank)
            {
                return null;
            }

            DateTimeOffset? ts = String(root, "ts") is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
            if (since is { } from && ts is { } at && at < from)
            {
                return null;
            }

            return json ? raw : Pretty(root, ts, level);
        }
        catch (JsonException)
        {
            return since is null && minRank <= 0 ? raw : null;
        }
    }

    private static string Pretty(JsonElement root, DateTimeOffset? ts, string? level)
    {
        var line = new StringBuilder();
        line.Append(ts is { } at ? at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) : "-".PadRight(23));
        line.Append(' ').Append((level ?? "?").ToUpperInvariant().PadRight(5));
        line.Append(' ').Append((String(root, "role") ?? "-").PadRight(7));
        line.Append(' ').Append((String(root, "component") ?? "-").PadRight(10));
        line.Append(' ').Append(String(root, "event") ?? "-");
        string? error = null;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "ts" or "level" or "role" or "component" or "event":
                    continue;
                case "error":
                    error = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                    continue;
            }

            line.Append(' ').Append(property.Name).Append('=').Append(Value(property.Value));
        }

        if (!string.IsNullOrEmpty(error))
        {
            // Stack traces stay readable: indented under the event line.
            line.Append("\n    ").Append(error.TrimEnd().ReplaceLineEndings("\n    "));
        }

        return line.ToString();
    }

    private static string Value(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value.GetRawText();
        }

        var text = value.GetString() ?? string.Empty;
        var plain = text.Length > 0 && text.All(c => c > ' ' && c != '"' && c != '=' && c != '\\');
        return plain ? text : JsonSerializer.Serialize(text, CliJson.Context.String);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;
}
