using System.Text;
using System.Text.Json.Nodes;

namespace Relay.Tests.ClaudeCode;

/// <summary>One request Claude Code sent to the fake Messages API, with helpers to read the conversation.</summary>
public sealed class ModelRequest
{
    public ModelRequest(int sequence, string? sessionId, JsonObject body)
    {
        Sequence = sequence;
        SessionId = sessionId;
        Body = body;
        Messages = body["messages"] as JsonArray ?? [];
        ToolNames = (body["tools"] as JsonArray ?? []).Select(t => (string?)t?["name"] ?? "").ToArray();
        AllText = CollectStrings(Messages);
    }

    /// <summary>When the fake API received it (<see cref="System.Diagnostics.Stopwatch"/> timestamp), for latency figures.</summary>
    public long ReceivedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Order of arrival at the fake API (over all sessions).</summary>
    public int Sequence { get; }

    /// <summary>The <c>x-claude-code-session-id</c> header (<c>--session-id</c>).</summary>
    public string? SessionId { get; }

    public JsonObject Body { get; }

    public JsonArray Messages { get; }

    public IReadOnlyList<string> ToolNames { get; }

    /// <summary>Every string in the conversation, unescaped, one per line: for "did the model see X" assertions.</summary>
    public string AllText { get; }

    /// <summary>A main-loop request (it offers tools), as opposed to side requests such as titles.</summary>
    public bool IsMainLoop => ToolNames.Count > 0;

    public JsonObject? LastUserMessage => Messages.LastOrDefault(m => (string?)m?["role"] == "user") as JsonObject;

    /// <summary>The text blocks of the last user message (tool results excluded).</summary>
    public string LastUserText => string.Join("\n", Blocks(LastUserMessage).Where(b => (string?)b["type"] == "text").Select(b => (string?)b["text"] ?? ""));

    /// <summary>The text blocks of the latest user message that answers no tool call: what started the current turn.</summary>
    public string TurnText =>
        string.Join("\n", Blocks(Messages.LastOrDefault(m => (string?)m?["role"] == "user" && !Blocks(m as JsonObject).Any(b => (string?)b["type"] == "tool_result")) as JsonObject)
            .Where(b => (string?)b["type"] == "text").Select(b => (string?)b["text"] ?? ""));

    /// <summary>
    /// True when the conversation shows the model a tool whose name starts with <paramref name="prefix"/>: in the
    /// request's <c>tools</c>, or (2.1.332, deferred MCP tools) named in a reminder as loadable through ToolSearch.
    /// </summary>
    public bool Mentions(string prefix) =>
        ToolNames.Any(t => t.StartsWith(prefix, StringComparison.Ordinal)) || AllText.Contains(prefix, StringComparison.Ordinal);

    /// <summary>Tool results in the last user message, with the name of the tool they answer.</summary>
    public IReadOnlyList<(string Tool, string Text, bool IsError)> LastToolResults => ToolResultsIn(LastUserMessage);

    /// <summary>Every tool result in the conversation, oldest first.</summary>
    public IReadOnlyList<(string Tool, string Text, bool IsError)> AllToolResults =>
        [.. Messages.Where(m => (string?)m?["role"] == "user").SelectMany(m => ToolResultsIn(m as JsonObject))];

    private List<(string Tool, string Text, bool IsError)> ToolResultsIn(JsonObject? message) =>
        [.. Blocks(message)
            .Where(b => (string?)b["type"] == "tool_result")
            .Select(b => (ToolNameOf((string?)b["tool_use_id"]), ResultText(b["content"]), (bool?)b["is_error"] ?? false))];

    /// <summary>A tool result's text: a plain string, or the text of its text blocks.</summary>
    private static string ResultText(JsonNode? content) => content switch
    {
        JsonValue value => (string?)value ?? "",
        JsonArray blocks => string.Join("\n", blocks.OfType<JsonObject>().Where(b => (string?)b["type"] == "text").Select(b => (string?)b["text"])),
        _ => "",
    };

    /// <summary>All channel messages anywhere in the conversation.</summary>
    public IReadOnlyList<ChannelTag> Channels => ChannelTag.FindAll(AllText);

    /// <summary>Inputs of every tool call the model made so far with the given (full) tool name.</summary>
    public IEnumerable<JsonObject> ToolCalls(string name) =>
        Messages.Where(m => (string?)m?["role"] == "assistant")
            .SelectMany(m => Blocks(m as JsonObject))
            .Where(b => (string?)b["type"] == "tool_use" && (string?)b["name"] == name)
            .Select(b => b["input"] as JsonObject ?? []);

    /// <summary>The latest user-typed text (not a tool result, not a channel message).</summary>
    public string LatestPrompt
    {
        get
        {
            foreach (var message in Messages.Reverse())
            {
                // A message answering tool calls is no prompt, whatever text Claude Code adds to it ("Tool loaded.").
                if ((string?)message?["role"] != "user" || Blocks(message as JsonObject).Any(b => (string?)b["type"] == "tool_result"))
                {
                    continue;
                }

                var text = message["content"] is JsonValue plain
                    ? (string?)plain ?? ""
                    : string.Join("\n", Blocks(message as JsonObject).Where(b => (string?)b["type"] == "text").Select(b => (string?)b["text"] ?? "")
                        .Where(t => !t.StartsWith("<system-reminder>", StringComparison.Ordinal)));
                if (text.Length > 0 && !text.Contains("<channel source=", StringComparison.Ordinal) && !text.Contains("<cross-session-message", StringComparison.Ordinal))
                {
                    return text;
                }
            }

            return "";
        }
    }

    private string ToolNameOf(string? toolUseId) =>
        Messages.Where(m => (string?)m?["role"] == "assistant")
            .SelectMany(m => Blocks(m as JsonObject))
            .Where(b => (string?)b["type"] == "tool_use" && (string?)b["id"] == toolUseId)
            .Select(b => (string?)b["name"] ?? "")
            .LastOrDefault() ?? "";

    private static IEnumerable<JsonObject> Blocks(JsonObject? message) =>
        message?["content"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonValue value => [new JsonObject { ["type"] = "text", ["text"] = (string?)value }],
            _ => [],
        };

    private static string CollectStrings(JsonNode? node)
    {
        var text = new StringBuilder();
        Walk(node);
        return text.ToString();

        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (_, child) in o)
                    {
                        Walk(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Walk(child);
                    }

                    break;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    text.Append(s).Append('\n');
                    break;
                default:
                    break;
            }
        }
    }
}
