using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Relay.Channels;

/// <summary>
/// Tool results: one text content holding a JSON object, <c>{"ok":true,…}</c> on success and
/// <c>{"ok":false,"code":…,"message":…}</c> with <c>isError</c> on failure. Written with Utf8JsonWriter (AOT-safe).
/// </summary>
internal static class ToolResults
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static CallToolResult Ok(Action<Utf8JsonWriter> fields) => Build(isError: false, writer =>
    {
        writer.WriteBoolean("ok", true);
        fields(writer);
    });

    public static CallToolResult Error(string code, string message) => Build(isError: true, writer =>
    {
        writer.WriteBoolean("ok", false);
        writer.WriteString("code", code);
        writer.WriteString("message", message);
    });

    private static CallToolResult Build(bool isError, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = Encoding.UTF8.GetString(buffer.WrittenSpan) }],
            IsError = isError,
        };
    }
}
