namespace Relay.Cli.Doctor.Sessions;

/// <summary>What <c>relay doctor --json</c> says about one live Claude Code session.</summary>
internal sealed class SessionReport
{
    public required int Pid { get; init; }
    public string? Name { get; init; }
    public string? Cwd { get; init; }
    public string? Version { get; init; }

    /// <summary>inbox, channel, pull or unreachable.</summary>
    public required string Path { get; init; }

    /// <summary>For the inbox path: "relay channel" or "hub".</summary>
    public string? Via { get; init; }

    /// <summary>The session's inbox socket, when it exists.</summary>
    public string? InboxSocket { get; init; }

    /// <summary>The <c>relay mcp</c> process serving the session, if any.</summary>
    public int? McpPid { get; init; }

    /// <summary>The command line names relay as a channel.</summary>
    public required bool ChannelFlag { get; init; }

    /// <summary>The effective <c>crossSessionInbound</c>; null when unset.</summary>
    public string? CrossSessionInbound { get; init; }

    /// <summary>The settings file that decided <see cref="CrossSessionInbound"/>.</summary>
    public string? CrossSessionInboundFrom { get; init; }

    public required string PermissionMode { get; init; }

    public required string PermissionModeFrom { get; init; }

    /// <summary>What the doctor found, in the order it checked: the path first.</summary>
    public required IReadOnlyList<SessionFinding> Findings { get; init; }
}
