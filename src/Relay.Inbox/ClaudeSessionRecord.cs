using System.Text.Json;

namespace Relay.Inbox;

/// <summary>
/// One <c>~/.claude/sessions/&lt;pid&gt;.json</c> record, as Claude Code 2.1.332 writes it. Only <see cref="Pid"/> is
/// required; every other field is null when missing or of the wrong type (Claude Code reads the file the same way).
/// </summary>
public sealed record ClaudeSessionRecord
{
    /// <summary>Largest record read; Claude Code's are well under 1 KiB.</summary>
    public const int MaxFileBytes = 64 * 1024;

    public required int Pid { get; init; }

    public string? SessionId { get; init; }

    public string? Cwd { get; init; }

    public string? Name { get; init; }

    /// <summary><c>derived</c> when Claude Code made the name up from the cwd; other values mean the user chose it.</summary>
    public string? NameSource { get; init; }

    /// <summary><c>interactive</c> (also for <c>-p</c> sessions), <c>bg</c>, <c>daemon</c>, <c>daemon-worker</c>.</summary>
    public string? Kind { get; init; }

    /// <summary><c>cli</c>, <c>sdk-cli</c> (<c>-p</c>), …</summary>
    public string? Entrypoint { get; init; }

    public string? Version { get; init; }

    /// <summary>The session's inbox socket; null when the inbox is off.</summary>
    public string? MessagingSocketPath { get; init; }

    /// <summary>The process's start as Claude Code records it: on Linux field 22 of <c>/proc/&lt;pid&gt;/stat</c> as a string.</summary>
    public string? ProcStart { get; init; }

    /// <summary>Milliseconds since the Unix epoch.</summary>
    public long? StartedAt { get; init; }

    public int? PeerProtocol { get; init; }

    /// <summary><c>linux:&lt;machine-id&gt;:pid:[&lt;pid namespace inode&gt;]</c> on Linux.</summary>
    public string? PidDomain { get; init; }

    /// <summary><c>idle</c> or <c>busy</c> (2.1.332).</summary>
    public string? Status { get; init; }

    /// <summary>Reads and parses a record file; null when it is missing, unreadable, too big, cut off or not a record.</summary>
    public static ClaudeSessionRecord? TryRead(string path)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxFileBytes)
            {
                return null;
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return TryParse(bytes);
    }

    /// <summary>Parses a record; null for anything that is not a JSON object with an integer <c>pid</c>. Never throws.</summary>
    public static ClaudeSessionRecord? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("pid", out var pidElement)
                || pidElement.ValueKind != JsonValueKind.Number
                || !pidElement.TryGetInt32(out var pid)
                || pid <= 0)
            {
                return null;
            }

            return new ClaudeSessionRecord
            {
                Pid = pid,
                SessionId = String(root, "sessionId"),
                Cwd = String(root, "cwd"),
                Name = String(root, "name"),
                NameSource = String(root, "nameSource"),
                Kind = String(root, "kind"),
                Entrypoint = String(root, "entrypoint"),
                Version = String(root, "version"),
                MessagingSocketPath = String(root, "messagingSocketPath"),
                ProcStart = String(root, "procStart"),
                StartedAt = root.TryGetProperty("startedAt", out var started) && started.ValueKind == JsonValueKind.Number && started.TryGetInt64(out var ms) ? ms : null,
                PeerProtocol = root.TryGetProperty("peerProtocol", out var protocol) && protocol.ValueKind == JsonValueKind.Number && protocol.TryGetInt32(out var p) ? p : null,
                PidDomain = String(root, "pidDomain"),
                Status = String(root, "status"),
            };
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
