using System.Globalization;
using System.Text;

namespace Relay.Inbox;

/// <summary>
/// The <c>&lt;cross-session-message …&gt;</c> envelope Claude Code keeps verbatim as a message's content:
/// <c>&lt;cross-session-message from="uds:PATH" from-name="NAME" from-mode="prompting"&gt;\nBODY\n&lt;/cross-session-message&gt;</c>.
/// </summary>
/// <param name="From">The <c>from</c> attribute (a <c>uds:</c> address for local sessions), unescaped.</param>
/// <param name="FromName">The <c>from-name</c> attribute, unescaped, or null.</param>
/// <param name="FromMode">The <c>from-mode</c> attribute when it is <c>prompting</c> or <c>bypass</c>, else null.</param>
/// <param name="Body">Everything between the opening tag's line and the final closing tag, verbatim.</param>
/// <param name="Attributes">Every attribute in order, unescaped (Claude Code adds others, e.g. <c>hop-chain</c>).</param>
public sealed record InboxEnvelope(string? From, string? FromName, InboxSenderMode? FromMode, string Body, IReadOnlyList<KeyValuePair<string, string>> Attributes)
{
    public const string TagName = "cross-session-message";
    private const string Open = "<" + TagName;
    private const string Close = "\n</" + TagName + ">";

    /// <summary>Longest opening tag parsed; Claude Code's are a few hundred characters.</summary>
    public const int MaxHeaderLength = 8192;

    /// <summary>Tags Claude Code 2.1.332 neutralises inside a message body (verified live): <c>&lt;T</c> → <c>&lt;\T</c>, <c>&lt;/T</c> → <c>&lt;\/T</c>.</summary>
    private static readonly string[] NeutralizedTags = [TagName, "teammate-message", "agent-message", "cited"];

    /// <summary>
    /// Builds the content relay writes. Attribute values are escaped (<c>&amp; &lt; &gt; "</c> as entities; control
    /// characters become spaces) so the opening tag stays one line with no early <c>&gt;</c> or <c>"</c>, which is how
    /// Claude Code's own parser reads it. The body is written verbatim except for <see cref="NeutralizeBody"/>, which
    /// does what Claude Code would do anyway, so the content sent is exactly the content the model sees.
    /// </summary>
    public static string Build(string fromAddress, string? fromName, InboxSenderMode fromMode, string body)
    {
        ArgumentNullException.ThrowIfNull(fromAddress);
        ArgumentNullException.ThrowIfNull(body);
        var sb = new StringBuilder(body.Length + fromAddress.Length + 128);
        sb.Append(Open);
        AppendAttribute(sb, "from", fromAddress);
        if (!string.IsNullOrEmpty(fromName))
        {
            AppendAttribute(sb, "from-name", fromName);
        }

        AppendAttribute(sb, "from-mode", fromMode == InboxSenderMode.Bypass ? "bypass" : "prompting");
        sb.Append(">\n").Append(NeutralizeBody(body)).Append(Close);
        return sb.ToString();
    }

    /// <summary>
    /// Rewrites forged envelope tags in a body the way Claude Code 2.1.332 does before the model sees it:
    /// <c>&lt;cross-session-message</c>, <c>&lt;teammate-message</c>, <c>&lt;agent-message</c>, <c>&lt;cited</c> (any case,
    /// followed by a non-word character or the end) get a backslash after the <c>&lt;</c>, closing tags too
    /// (<c>&lt;/cited&gt;</c> → <c>&lt;\/cited&gt;</c>). Everything else is left alone.
    /// </summary>
    public static string NeutralizeBody(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!body.Contains('<', StringComparison.Ordinal))
        {
            return body;
        }

        StringBuilder? sb = null;
        var copied = 0;
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '<')
            {
                continue;
            }

            var nameStart = i + 1 < body.Length && body[i + 1] == '/' ? i + 2 : i + 1;
            foreach (var tag in NeutralizedTags)
            {
                var end = nameStart + tag.Length;
                if (end <= body.Length
                    && body.AsSpan(nameStart, tag.Length).Equals(tag, StringComparison.OrdinalIgnoreCase)
                    && (end == body.Length || !(char.IsAsciiLetterOrDigit(body[end]) || body[end] == '_')))
                {
                    sb ??= new StringBuilder(body.Length + 16);
                    sb.Append(body, copied, i + 1 - copied).Append('\\');
                    copied = i + 1;
                    break;
                }
            }
        }

        return sb is null ? body : sb.Append(body, copied, body.Length - copied).ToString();
    }

    /// <summary>
    /// Parses content that is exactly one envelope: it starts with the opening tag, the tag is followed by a newline,
    /// and the content ends with <c>\n&lt;/cross-session-message&gt;</c> (one trailing newline is tolerated). The body
    /// runs to the <b>last</b> closing tag, so a body that itself contains the closing tag is kept whole. Anything else
    /// (plain text, a malformed tag, duplicate or badly quoted attributes) gives null. Never throws.
    /// </summary>
    public static InboxEnvelope? TryParse(string? content)
    {
        if (content is null || !content.StartsWith(Open, StringComparison.Ordinal))
        {
            return null;
        }

        var end = content.EndsWith('\n') ? content.Length - 1 : content.Length;
        var text = content.AsSpan(0, end);
        if (!text.EndsWith(Close, StringComparison.Ordinal))
        {
            return null;
        }

        var headerEnd = text.IndexOf('>');
        if (headerEnd < 0 || headerEnd > MaxHeaderLength || headerEnd + 1 >= text.Length || text[headerEnd + 1] != '\n')
        {
            return null;
        }

        var bodyStart = headerEnd + 2;
        var bodyEnd = text.Length - Close.Length;
        string body;
        if (bodyEnd >= bodyStart)
        {
            body = text[bodyStart..bodyEnd].ToString();
        }
        else if (bodyEnd == bodyStart - 1)
        {
            // "<tag>\n</tag>": the newline after the tag is also the one before the closing tag; the body is empty.
            body = "";
        }
        else
        {
            return null;
        }

        var attributes = ParseAttributes(text[Open.Length..headerEnd]);
        if (attributes is null)
        {
            return null;
        }

        string? from = null, fromName = null, fromMode = null;
        foreach (var (key, value) in attributes)
        {
            switch (key)
            {
                case "from":
                    from = value;
                    break;
                case "from-name":
                    fromName = value;
                    break;
                case "from-mode":
                    fromMode = value;
                    break;
            }
        }

        InboxSenderMode? mode = fromMode switch
        {
            "prompting" => InboxSenderMode.Prompting,
            "bypass" => InboxSenderMode.Bypass,
            _ => null,
        };
        return new InboxEnvelope(from, fromName, mode, body, attributes);
    }

    /// <summary>Decodes <c>&amp;amp; &amp;lt; &amp;gt; &amp;quot; &amp;apos;</c> and numeric references; anything else stays as written.</summary>
    public static string UnescapeAttribute(ReadOnlySpan<char> value)
    {
        if (!value.Contains('&'))
        {
            return value.ToString();
        }

        var sb = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c == '&')
            {
                var semi = value[i..].IndexOf(';');
                if (semi > 1 && semi <= 10 && TryDecodeEntity(value.Slice(i + 1, semi - 1), sb))
                {
                    i += semi + 1;
                    continue;
                }
            }

            sb.Append(c);
            i++;
        }

        return sb.ToString();
    }

    private static void AppendAttribute(StringBuilder sb, string name, string value)
    {
        sb.Append(' ').Append(name).Append("=\"");
        AppendEscaped(sb, value);
        sb.Append('"');
    }

    private static void AppendEscaped(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '&':
                    sb.Append("&amp;");
                    break;
                case '<':
                    sb.Append("&lt;");
                    break;
                case '>':
                    sb.Append("&gt;");
                    break;
                case '"':
                    sb.Append("&quot;");
                    break;
                default:
                    sb.Append(char.IsControl(c) ? ' ' : c);
                    break;
            }
        }
    }

    private static List<KeyValuePair<string, string>>? ParseAttributes(ReadOnlySpan<char> s)
    {
        var list = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (true)
        {
            var start = i;
            while (i < s.Length && s[i] is ' ' or '\t')
            {
                i++;
            }

            if (i == s.Length)
            {
                return list;
            }

            if (i == start)
            {
                return null; // attributes must be separated by whitespace
            }

            var nameStart = i;
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '-' or '_' or ':'))
            {
                i++;
            }

            if (i == nameStart || i + 1 >= s.Length || s[i] != '=' || s[i + 1] != '"')
            {
                return null;
            }

            var name = s[nameStart..i].ToString();
            i += 2;
            var valueEnd = s[i..].IndexOf('"');
            if (valueEnd < 0)
            {
                return null;
            }

            var value = s.Slice(i, valueEnd);
            if (value.ContainsAny('\n', '\r', '<'))
            {
                return null;
            }

            foreach (var existing in list)
            {
                if (existing.Key == name)
                {
                    return null; // a second "from" could make two readers disagree on who sent it
                }
            }

            list.Add(new(name, UnescapeAttribute(value)));
            i += valueEnd + 1;
        }
    }

    private static bool TryDecodeEntity(ReadOnlySpan<char> entity, StringBuilder sb)
    {
        switch (entity)
        {
            case "amp":
                sb.Append('&');
                return true;
            case "lt":
                sb.Append('<');
                return true;
            case "gt":
                sb.Append('>');
                return true;
            case "quot":
                sb.Append('"');
                return true;
            case "apos":
                sb.Append('\'');
                return true;
        }

        if (entity.Length < 2 || entity[0] != '#')
        {
            return false;
        }

        var isHex = entity[1] is 'x' or 'X';
        var digits = entity[(isHex ? 2 : 1)..];
        if (digits.IsEmpty
            || !int.TryParse(digits, isHex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            || code is <= 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF))
        {
            return false;
        }

        sb.Append(char.ConvertFromUtf32(code));
        return true;
    }
}
