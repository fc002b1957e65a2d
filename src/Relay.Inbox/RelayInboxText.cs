using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Relay.Inbox;

/// <summary>
/// The bodies relay writes into a session's native inbox, inside a <c>&lt;cross-session-message&gt;</c> envelope.
/// Claude Code frames them as "Another Claude session sent a message"; the first line of each body says what it is
/// in a fixed form (<c>relay ask from NAME · ask_id=ID · thread_id=T</c>) that the plugin's hook and people can read,
/// then the peer's text verbatim, then how to answer.
/// </summary>
public static partial class RelayInboxText
{
    /// <summary>
    /// An ask for this session's model, from <paramref name="from"/>, to be answered at <paramref name="answerAddress"/>
    /// (or with relay_reply when <paramref name="hasRelayTools"/>: the session runs relay's channel).
    /// </summary>
    public static string Ask(string from, string askId, string threadId, string? broadcastId, string question, string answerAddress, bool hasRelayTools)
    {
        var text = new StringBuilder(question.Length + 512);
        text.Append("relay ask from ").Append(from).Append(" · ask_id=").Append(askId).Append(" · thread_id=").Append(threadId);
        if (broadcastId is not null)
        {
            text.Append(" · broadcast_id=").Append(broadcastId);
        }

        text.Append("\n\n").Append(question).Append("\n\n");
        text.Append(hasRelayTools
            ? string.Create(CultureInfo.InvariantCulture, $"Answer {from} with relay_reply(ask_id=\"{askId}\", text=…) — or with SendMessage to \"{answerAddress}\": your whole message is the answer. {from} is waiting for it.")
            : string.Create(CultureInfo.InvariantCulture, $"Answer {from} with SendMessage to \"{answerAddress}\": your whole message is the answer (relay delivers it). {from} is waiting for it."));
        return text.ToString();
    }

    /// <summary>The answer to one of this session's asks.</summary>
    public static string Reply(string from, string askId, string threadId, string? broadcastId, string text) =>
        Header("reply", from, askId, threadId, broadcastId) + "\n\n" + text;

    /// <summary>An ask of this session that ended without an answer.</summary>
    public static string Error(string? to, string? askId, string? threadId, string? broadcastId, string code, string sentence) =>
        Header("error", to ?? "relay", askId, threadId, broadcastId) + " · code=" + code + "\n\n" + sentence + "\nTell the user; do not retry blindly.";

    /// <summary>Progress of one of this session's asks worth the model's attention (held).</summary>
    public static string Status(string to, string askId, string status, string sentence) =>
        "relay status of your ask to " + to + " · ask_id=" + askId + " · status=" + status + "\n\n" + sentence;

    /// <summary>The summary of a finished broadcast.</summary>
    public static string Summary(string broadcastId, string sentence) =>
        "relay broadcast summary · broadcast_id=" + broadcastId + "\n\n" + sentence;

    /// <summary>The ask ids of relay asks in a text (a prompt, an inbox body).</summary>
    public static IReadOnlyList<string> AskIdsIn(string text)
    {
        var ids = new List<string>();
        foreach (Match match in AskLine().Matches(text))
        {
            ids.Add(match.Groups["id"].Value);
        }

        return ids;
    }

    private static string Header(string kind, string who, string? askId, string? threadId, string? broadcastId)
    {
        var text = new StringBuilder("relay ").Append(kind).Append(kind == "reply" ? " from " : " for your ask to ").Append(who);
        if (askId is not null)
        {
            text.Append(" · ask_id=").Append(askId);
        }

        if (threadId is not null)
        {
            text.Append(" · thread_id=").Append(threadId);
        }

        if (broadcastId is not null)
        {
            text.Append(" · broadcast_id=").Append(broadcastId);
        }

        return text.ToString();
    }

    [GeneratedRegex("^relay ask from \\S+ · ask_id=(?<id>[A-Za-z0-9._-]{1,128})", RegexOptions.Multiline)]
    private static partial Regex AskLine();
}
