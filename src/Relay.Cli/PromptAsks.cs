using System.Text.RegularExpressions;

namespace Relay.Cli;

/// <summary>
/// Finds the relay asks in a prompt Claude Code is about to give its model: channel pushes
/// (<c>&lt;channel source="plugin:relay:relay" … ask_id="…" … type="ask"&gt;</c>, attributes in any order) and native
/// inbox messages relay wrote (a line <c>relay ask from NAME · ask_id=ID</c>).
/// </summary>
internal static partial class PromptAsks
{
    public static IReadOnlyList<string> Find(string prompt)
    {
        var ids = new List<string>();
        foreach (Match tag in ChannelTag().Matches(prompt))
        {
            var attributes = tag.Groups["attrs"].Value;
            if (TypeAsk().IsMatch(attributes) && AskId().Match(attributes) is { Success: true } id)
            {
                ids.Add(id.Groups["id"].Value);
            }
        }

        ids.AddRange(Relay.Inbox.RelayInboxText.AskIdsIn(prompt));

        return [.. ids.Distinct(StringComparer.Ordinal)];
    }

    [GeneratedRegex("<channel source=\"plugin:relay:relay\"(?<attrs>[^>]*)>")]
    private static partial Regex ChannelTag();

    [GeneratedRegex("(^|\\s)type=\"ask\"")]
    private static partial Regex TypeAsk();

    [GeneratedRegex("(^|\\s)ask_id=\"(?<id>[^\"]{1,128})\"")]
    private static partial Regex AskId();
}
