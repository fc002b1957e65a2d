namespace Relay.Inbox;

/// <summary>What Claude Code puts in the environment of every child process (MCP servers included) of a session with an inbox.</summary>
public static class InboxEnvironment
{
    /// <summary>The session's inbox socket path.</summary>
    public const string Socket = "CLAUDE_CODE_MESSAGING_SOCKET";

    /// <summary>A 32-hex "child" token for the optional first <c>auth</c> line.</summary>
    public const string Token = "CLAUDE_CODE_MESSAGING_TOKEN";
}
