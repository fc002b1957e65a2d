using System.Net;
using System.Text.RegularExpressions;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// One channel message as the model sees it: <c>&lt;channel source="…" k="v" …&gt;</c>, newline, content, newline,
/// <c>&lt;/channel&gt;</c>. Attribute values arrive XML-escaped.
/// </summary>
public sealed partial record ChannelTag(string Source, IReadOnlyDictionary<string, string> Attributes, string Content)
{
    public string? this[string key] => Attributes.TryGetValue(key, out var value) ? value : null;

    public static IReadOnlyList<ChannelTag> FindAll(string text) =>
        [.. TagPattern().Matches(text).Select(m => new ChannelTag(
            WebUtility.HtmlDecode(m.Groups["source"].Value),
            AttributePattern().Matches(m.Groups["attrs"].Value).ToDictionary(a => a.Groups[1].Value, a => WebUtility.HtmlDecode(a.Groups[2].Value)),
            m.Groups["content"].Value))];

    [GeneratedRegex("<channel source=\"(?<source>[^\"]*)\"(?<attrs>[^>]*)>\\n(?<content>.*?)\\n</channel>", RegexOptions.Singleline)]
    private static partial Regex TagPattern();

    [GeneratedRegex("([A-Za-z_][A-Za-z0-9_]*)=\"([^\"]*)\"")]
    private static partial Regex AttributePattern();
}
