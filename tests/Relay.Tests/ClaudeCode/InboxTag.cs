using System.Text.RegularExpressions;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// One relay ask as a model sees it in a native inbox message: Claude Code's frame around relay's
/// <c>&lt;cross-session-message&gt;</c>, whose body starts <c>relay ask from NAME · ask_id=ID · thread_id=T</c>, then
/// the question, then how to answer (the <c>SendMessage</c> address).
/// </summary>
public sealed partial record InboxTag(string From, string AskId, string ThreadId, string? BroadcastId, string Question, string AnswerAddress)
{
    public static IReadOnlyList<InboxTag> FindAll(string text) =>
        [.. AskPattern().Matches(text).Select(m => new InboxTag(
            m.Groups["from"].Value,
            m.Groups["id"].Value,
            m.Groups["thread"].Value,
            m.Groups["broadcast"].Success ? m.Groups["broadcast"].Value : null,
            m.Groups["question"].Value,
            m.Groups["address"].Value))];

    /// <summary>The same ask as a channel tag, so one answer function serves both paths.</summary>
    public ChannelTag AsChannelTag() => new(
        "inbox",
        new Dictionary<string, string> { ["type"] = "ask", ["from"] = From, ["ask_id"] = AskId, ["thread_id"] = ThreadId },
        Question);

    [GeneratedRegex("relay ask from (?<from>\\S+) · ask_id=(?<id>[A-Za-z0-9._-]+) · thread_id=(?<thread>[A-Za-z0-9._-]+)(?: · broadcast_id=(?<broadcast>[A-Za-z0-9._-]+))?\\n\\n(?<question>.*?)\\n\\nAnswer \\S+ with (?:relay_reply\\(ask_id=\"[^\"]*\", text=…\\) — or with )?SendMessage to \"(?<address>uds:[^\"]+)\"", RegexOptions.Singleline)]
    private static partial Regex AskPattern();
}
