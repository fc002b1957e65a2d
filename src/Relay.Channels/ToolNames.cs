namespace Relay.Channels;

/// <summary>The channel's MCP tools, as Claude Code sees them (<c>mcp__plugin_relay_relay__relay_ask</c>, …).</summary>
internal static class ToolNames
{
    public const string Peers = "relay_peers";
    public const string Ask = "relay_ask";
    public const string Reply = "relay_reply";
    public const string Broadcast = "relay_broadcast";
    public const string Rename = "relay_rename";
    public const string Inbox = "relay_inbox";
}
