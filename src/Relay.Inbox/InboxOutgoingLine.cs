using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Relay.Inbox;

/// <summary>Serializes the lines relay writes to a Claude Code inbox (UTF-8, newline-terminated).</summary>
public static class InboxOutgoingLine
{
    /// <summary>Longest line Claude Code reads, newline included.</summary>
    public const int MaxLineBytes = Relay.Protocol.Limits.MaxLineBytes;

    /// <summary><c>{"type":"auth","token":"…"}\n</c>: optional on Linux; the session's child token marks the writer as its child.</summary>
    public static byte[] Auth(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Write(w =>
        {
            w.WriteString("type"u8, "auth"u8);
            w.WriteString("token"u8, token);
        });
    }

    /// <summary>
    /// <c>{"msgV":1,"msg_id":"…","type":"user","message":{"role":"user","content":"…"},"priority":"next","from":"uds:…"}\n</c>.
    /// </summary>
    public static byte[] UserMessage(string msgId, string content, string? fromAddress, string priority = "next")
    {
        ArgumentNullException.ThrowIfNull(msgId);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(priority);
        return Write(w =>
        {
            w.WriteNumber("msgV"u8, 1);
            w.WriteString("msg_id"u8, msgId);
            w.WriteString("type"u8, "user"u8);
            w.WriteStartObject("message"u8);
            w.WriteString("role"u8, "user"u8);
            w.WriteString("content"u8, content);
            w.WriteEndObject();
            w.WriteString("priority"u8, priority);
            if (fromAddress is not null)
            {
                w.WriteString("from"u8, fromAddress);
            }
        });
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        // Relaxed escaping: non-ASCII text and quotes stay compact (the line is JSON for Claude Code, never HTML).
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
