using System.Text.Json.Nodes;

namespace Relay.Tests.ClaudeCode;

/// <summary>What the fake model answers: text and/or tool calls, in order.</summary>
public sealed class ModelReply
{
    private ModelReply(IReadOnlyList<JsonObject> blocks)
    {
        Blocks = blocks;
    }

    /// <summary>Anthropic content blocks (<c>text</c> or <c>tool_use</c>).</summary>
    public IReadOnlyList<JsonObject> Blocks { get; }

    public bool CallsTools => Blocks.Any(b => (string?)b["type"] == "tool_use");

    public static ModelReply Text(string text) =>
        new([new JsonObject { ["type"] = "text", ["text"] = text }]);

    public static ModelReply Tool(string name, JsonObject input) => Tools((name, input));

    /// <summary>Several tool calls in one assistant message (Claude Code runs them all).</summary>
    public static ModelReply Tools(params (string Name, JsonObject Input)[] calls) =>
        new([.. calls.Select(c => new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = "toolu_" + Guid.NewGuid().ToString("N")[..20],
            ["name"] = c.Name,
            ["input"] = c.Input,
        })]);
}
