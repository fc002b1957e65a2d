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
/// Like a real model, it loads a deferred tool before calling it: when the relay tool it wants is not in the request's
/// <c>tools</c> (Claude Code 2.1.332 defers MCP tools), it first calls <c>ToolSearch</c> with
/// <c>select:NAME[,NAME…]</c>, then decides again on the request that carries the search result.
/// </summary>
public static partial class ScriptedPeer
{
    public const string Peers = ClaudeWorld.ToolPrefix + "relay_peers";
    public const string Ask = ClaudeWorld.ToolPrefix + "relay_ask";
    public const string Reply = ClaudeWorld.ToolPrefix + "relay_reply";
    public const string Broadcast = ClaudeWorld.ToolPrefix + "relay_broadcast";
    public const string Rename = ClaudeWorld.ToolPrefix + "relay_rename";

    /// <summary>Claude Code's tool that loads deferred tools (2.1.332: MCP tools are deferred behind it).</summary>
    public const string ToolSearch = "ToolSearch";

    /// <summary>Claude Code's own cross-session message tool (deferred on 2.1.332): <c>{to, message}</c>.</summary>
    public const string SendMessage = "SendMessage";

    public static string AskPrompt(string to, string question) => $"relay-test ask {to}: {question} ::end";

    public static string BroadcastPrompt(string question) => $"relay-test broadcast: {question} ::end";

    /// <summary>
    /// A brain that answers each incoming ask with <paramref name="answer"/>: channel asks with <c>relay_reply</c>,
    /// native inbox asks the way <paramref name="inboxAnswers"/> says (<c>relay_reply</c>, or Claude Code's own
    /// <c>SendMessage</c> to the ask's address — the only way for a session without the plugin).
    /// </summary>
    public static Func<ModelRequest, ModelReply> Brain(Func<ChannelTag, string>? answer = null, InboxAnswer inboxAnswers = InboxAnswer.RelayReply)
    {
        answer ??= ask => "no answer from this peer";
        return request => Decide(request, answer, inboxAnswers) is var calls && calls.Count > 0 ? Load(request, calls) : ModelReply.Text(Say(request));
    }

    /// <summary>A brain that never answers asks (a silent peer); prompts still get "ready".</summary>
    public static Func<ModelRequest, ModelReply> Silent() => request => ModelReply.Text(Say(request));

    /// <summary>The relay tool calls this request wants (none: the turn ends with text).</summary>
    private static List<(string Name, JsonObject Input)> Decide(ModelRequest request, Func<ChannelTag, string> answer, InboxAnswer inboxAnswers)
    {
        var answered = request.ToolCalls(Reply).Select(input => (string?)input["ask_id"]).ToHashSet();
        var sentTo = request.ToolCalls(SendMessage).Select(input => (string?)input["to"]).ToHashSet();
        var open = request.Channels
            .Where(c => c["type"] == "ask" && c["ask_id"] is { } id && !answered.Contains(id))
            .DistinctBy(c => c["ask_id"])
            .ToList();
        var openInbox = InboxTag.FindAll(request.AllText)
            .Where(a => !answered.Contains(a.AskId) && !sentTo.Contains(a.AnswerAddress))
            .DistinctBy(a => a.AskId)
            .ToList();
        if (open.Count > 0 || openInbox.Count > 0)
        {
            return
            [
                .. open.Select(c => (Reply, new JsonObject { ["ask_id"] = c["ask_id"], ["text"] = answer(c) })),
                .. openInbox.Select(a => inboxAnswers == InboxAnswer.SendMessage
                    ? (SendMessage, new JsonObject { ["to"] = a.AnswerAddress, ["message"] = answer(a.AsChannelTag()) })
                    : (Reply, new JsonObject { ["ask_id"] = a.AskId, ["text"] = answer(a.AsChannelTag()) })),
            ];
        }

        // A ToolSearch result only loaded tools: decide again on what started the turn.
        var results = request.LastToolResults.Where(t => t.Tool != ToolSearch).ToList();
        if (results.Count > 0)
        {
            if (results[^1].Tool == Peers && AskPattern().Match(request.LatestPrompt) is { Success: true } ask && !request.ToolCalls(Ask).Any())
            {
                return [(Ask, new JsonObject { ["to"] = ask.Groups["to"].Value, ["question"] = ask.Groups["question"].Value })];
            }

            return [];
        }

        var last = request.LastToolResults.Count > 0 ? request.TurnText : request.LastUserText;
        if (last.Contains("<channel source=", StringComparison.Ordinal) || last.Contains("<cross-session-message", StringComparison.Ordinal))
        {
            return [];
        }

        if (RenameCommand().Match(last) is { Success: true } rename)
        {
            return [(Rename, new JsonObject { ["new_name"] = rename.Groups["name"].Value.Trim() })];
        }

        if (AskPattern().IsMatch(last) || last.Contains("relay-test peers", StringComparison.Ordinal))
        {
            return [(Peers, [])];
        }

        if (BroadcastPattern().Match(last) is { Success: true } broadcast)
        {
            return [(Broadcast, new JsonObject { ["question"] = broadcast.Groups["question"].Value })];
        }

        return [];
    }

    /// <summary>The calls themselves when their tools are loaded, else one ToolSearch that loads them all.</summary>
    private static ModelReply Load(ModelRequest request, List<(string Name, JsonObject Input)> calls)
    {
        var searched = request.ToolCalls(ToolSearch).Select(input => (string?)input["query"] ?? "").ToList();
        var missing = calls.Select(c => c.Name).Distinct()
            .Where(name => !request.ToolNames.Contains(name) && !searched.Any(q => q.StartsWith("select:", StringComparison.Ordinal) && q[7..].Split(',').Contains(name)))
            .ToList();
        if (missing.Count > 0 && request.ToolNames.Contains(ToolSearch))
        {
            return ModelReply.Tool(ToolSearch, new JsonObject { ["query"] = "select:" + string.Join(',', missing) });
        }

        return ModelReply.Tools([.. calls]);
    }

    /// <summary>The closing text of a turn that calls no tool.</summary>
    private static string Say(ModelRequest request) =>
        request.LastToolResults.Count > 0 ? "done"
        : request.LastUserText.Contains("<channel source=", StringComparison.Ordinal) || request.LastUserText.Contains("<cross-session-message", StringComparison.Ordinal) ? "noted"
        : "ready";

    [GeneratedRegex("relay-test ask (?<to>\\S+): (?<question>.*?) ::end", RegexOptions.Singleline)]
    private static partial Regex AskPattern();

    [GeneratedRegex("relay-test broadcast: (?<question>.*?) ::end", RegexOptions.Singleline)]
    private static partial Regex BroadcastPattern();

    [GeneratedRegex("<command-name>/(relay:)?relay-rename</command-name>.*?<command-args>(?<name>[^<]*)</command-args>", RegexOptions.Singleline)]
    private static partial Regex RenameCommand();
}

/// <summary>How a scripted session answers asks that reach it through its native inbox.</summary>
public enum InboxAnswer
{
    RelayReply,
    SendMessage,
}
