using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// The fake model of a session with the relay plugin. It decides from the conversation alone (no hidden state), so
/// whatever order Claude Code delivers things in, each request gets the right next step:
/// <list type="number">
/// <item>every incoming ask (<c>&lt;channel … type="ask" ask_id=…&gt;</c>) not yet answered gets a <c>relay_reply</c>;</item>
/// <item>a tool result continues the prompt's chain (<c>relay_peers</c> → <c>relay_ask</c>) or ends the turn;</item>
/// <item>prompts: <c>relay-test ask NAME: QUESTION ::end</c> (peers, then ask), <c>relay-test broadcast: QUESTION ::end</c>,
/// <c>relay-test peers</c>, the expansion of <c>/relay:relay-rename NAME</c> or <c>/relay-rename NAME</c>; anything else gets "ready".</item>
/// </list>
/// </summary>
public static partial class ScriptedPeer
{
    public const string Peers = ClaudeWorld.ToolPrefix + "relay_peers";
    public const string Ask = ClaudeWorld.ToolPrefix + "relay_ask";
    public const string Reply = ClaudeWorld.ToolPrefix + "relay_reply";
    public const string Broadcast = ClaudeWorld.ToolPrefix + "relay_broadcast";
    public const string Rename = ClaudeWorld.ToolPrefix + "relay_rename";

    public static string AskPrompt(string to, string question) => $"relay-test ask {to}: {question} ::end";

    public static string BroadcastPrompt(string question) => $"relay-test broadcast: {question} ::end";

    /// <summary>A brain that answers each incoming ask with <paramref name="answer"/>.</summary>
    public static Func<ModelRequest, ModelReply> Brain(Func<ChannelTag, string>? answer = null)
    {
        answer ??= ask => "no answer from this peer";
        return request =>
        {
            var answered = request.ToolCalls(Reply).Select(input => (string?)input["ask_id"]).ToHashSet();
            var open = request.Channels
                .Where(c => c["type"] == "ask" && c["ask_id"] is { } id && !answered.Contains(id))
                .DistinctBy(c => c["ask_id"])
                .ToList();
            if (open.Count > 0)
            {
                return ModelReply.Tools([.. open.Select(c => (Reply, new JsonObject { ["ask_id"] = c["ask_id"], ["text"] = answer(c) }))]);
            }

            var prompt = request.LatestPrompt;
            var results = request.LastToolResults;
            if (results.Count > 0)
            {
                if (results[^1].Tool == Peers && AskPattern().Match(prompt) is { Success: true } ask && !request.ToolCalls(Ask).Any())
                {
                    return ModelReply.Tool(Ask, new JsonObject { ["to"] = ask.Groups["to"].Value, ["question"] = ask.Groups["question"].Value });
                }

                return ModelReply.Text("done");
            }

            if (request.LastUserText.Contains("<channel source=", StringComparison.Ordinal))
            {
                return ModelReply.Text("noted");
            }

            var last = request.LastUserText;
            if (RenameCommand().Match(last) is { Success: true } rename)
            {
                return ModelReply.Tool(Rename, new JsonObject { ["new_name"] = rename.Groups["name"].Value.Trim() });
            }

            if (AskPattern().IsMatch(last) || last.Contains("relay-test peers", StringComparison.Ordinal))
            {
                return ModelReply.Tool(Peers, []);
            }

            if (BroadcastPattern().Match(last) is { Success: true } broadcast)
            {
                return ModelReply.Tool(Broadcast, new JsonObject { ["question"] = broadcast.Groups["question"].Value });
            }

            return ModelReply.Text("ready");
        };
    }

    [GeneratedRegex("relay-test ask (?<to>\\S+): (?<question>.*?) ::end", RegexOptions.Singleline)]
    private static partial Regex AskPattern();

    [GeneratedRegex("relay-test broadcast: (?<question>.*?) ::end", RegexOptions.Singleline)]
    private static partial Regex BroadcastPattern();

    [GeneratedRegex("<command-name>/(relay:)?relay-rename</command-name>.*?<command-args>(?<name>[^<]*)</command-args>", RegexOptions.Singleline)]
    private static partial Regex RenameCommand();
}
