using System.Text;
using System.Text.Json;
using Relay.Protocol;

namespace Relay.Channels;

/// <summary>Reads and checks tool arguments; any problem throws <see cref="BadArgsException"/> (answered as bad_args).</summary>
internal readonly struct ToolArguments(IDictionary<string, JsonElement>? arguments)
{
    /// <summary>Longest encoded text that still fits a hub line next to the rest of the message.</summary>
    private const int MaxEncodedTextBytes = Limits.MaxLineBytes - 4096;

    public string RequiredString(string name)
    {
        if (arguments is null || !arguments.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            throw new BadArgsException($"missing required argument \"{name}\"");
        }

        return AsString(name, value);
    }

    public string? OptionalString(string name)
    {
        if (arguments is null || !arguments.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        var text = AsString(name, value);
        return text.Length == 0 ? null : text;
    }

    /// <summary>A non-empty id (peer name, ask id, thread id) of reasonable length.</summary>
    public string RequiredId(string name) => CheckId(name, RequiredString(name));

    public string? OptionalId(string name) => OptionalString(name) is { } id ? CheckId(name, id) : null;

    /// <summary>A question or reply: at most 512 KiB of UTF-8, and small enough to travel in one hub line.</summary>
    public string RequiredText(string name)
    {
        var text = RequiredString(name);
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > Limits.MaxTextBytes)
        {
            throw new BadArgsException($"\"{name}\" is {bytes} bytes; the limit is {Limits.MaxTextBytes} bytes (512 KiB)");
        }

        if (bytes > MaxEncodedTextBytes / 6 && EncodedLength(text) > MaxEncodedTextBytes)
        {
            throw new BadArgsException($"\"{name}\" is too long to send once JSON-encoded (control characters and emoji take up to 6 times their size)");
        }

        return text;
    }

    private static string AsString(string name, JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new BadArgsException($"argument \"{name}\" must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}");

    private static string CheckId(string name, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new BadArgsException($"argument \"{name}\" must not be empty");
        }

        if (value.Length > Limits.MaxIdLength)
        {
            throw new BadArgsException($"argument \"{name}\" is longer than {Limits.MaxIdLength} characters");
        }

        return value;
    }

    // The hub line's JSON escaping: quotes, backslashes and short escapes double, other control characters become
    // \u00XX, and characters beyond the BMP become a \uXXXX\uXXXX surrogate pair.
    private static long EncodedLength(string text)
    {
        long length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            length += rune.Value switch
            {
                '"' or '\\' or '\n' or '\r' or '\t' or '\b' or '\f' => 2,
                < 0x20 or 0x7f => 6,
                > 0xffff => 12,
                _ => rune.Utf8SequenceLength,
            };
        }

        return length;
    }
}
