using Relay.Protocol.Messages;

namespace Relay.Cli;

// The JSON shapes the CLI prints with --json; docs/cli.md describes each one.

/// <summary>Printed on stdout with <c>--json</c> when a command fails (the stderr line is printed too).</summary>
internal sealed class ErrorOutput
{
    public bool Ok { get; init; }
    public required string Code { get; init; }
    public required string Message { get; init; }
    public string? AskId { get; init; }
}

/// <summary><c>relay ask --json</c>.</summary>
/// <summary>One stderr line of <c>relay ask --json</c> while the ask is under way.</summary>
internal sealed class AskProgressOutput
{
    public string Type { get; init; } = "ask_status";
    public required string AskId { get; init; }
    public required string Status { get; init; }
    public required string To { get; init; }
    public string? Delivery { get; init; }
    public required string Text { get; init; }
}

internal sealed class AskOutput
{
    public bool Ok { get; init; } = true;
    public required string From { get; init; }
    public required string Text { get; init; }
    public required string AskId { get; init; }
    public required string ThreadId { get; init; }
}

/// <summary><c>relay peers --json</c>.</summary>
internal sealed class PeersOutput
{
    public required IReadOnlyList<PeerInfo> Peers { get; init; }
}

/// <summary><c>relay broadcast --json</c>: one line per reply as it arrives.</summary>
internal sealed class BroadcastReplyLine
{
    public string Type { get; init; } = "reply";
    public required string From { get; init; }
    public required string Text { get; init; }
    public required string AskId { get; init; }
    public required string ThreadId { get; init; }
    public required string BroadcastId { get; init; }
}

/// <summary><c>relay broadcast --json</c>: a target that will not answer (timeout, peer_gone).</summary>
internal sealed class BroadcastMissingLine
{
    public string Type { get; init; } = "no_answer";
    public required string To { get; init; }
    public required string Code { get; init; }
    public required string BroadcastId { get; init; }
}

/// <summary><c>relay broadcast --json</c>: the last line.</summary>
internal sealed class BroadcastSummaryLine
{
    public string Type { get; init; } = "summary";
    public required string BroadcastId { get; init; }
    public required int PeerCount { get; init; }
    public required int Answered { get; init; }
    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>Targets whose session held the question for its user's approval (they may also be in missing).</summary>
    public IReadOnlyList<string> Held { get; init; } = [];
}

/// <summary><c>relay listen --json</c>: an incoming ask.</summary>
internal sealed class ListenAskLine
{
    public string Type { get; init; } = "ask";
    public required string AskId { get; init; }
    public required string From { get; init; }
    public required string ThreadId { get; init; }
    public string? BroadcastId { get; init; }
    public required string Question { get; init; }
}

/// <summary><c>relay listen --exec --json</c>: the command ran and its output went back as the reply.</summary>
internal sealed class ListenRepliedLine
{
    public string Type { get; init; } = "replied";
    public required string AskId { get; init; }
    public required int ExitCode { get; init; }
    public bool TimedOut { get; init; }
    public required bool Delivered { get; init; }
    public string? Error { get; init; }
}

/// <summary><c>relay reply --json</c>.</summary>
internal sealed class ReplyOutput
{
    public bool Ok { get; init; } = true;
    public required string AskId { get; init; }
    public required string OnBehalfOf { get; init; }
}

/// <summary><c>relay hub status --json</c>.</summary>
internal sealed class HubStatusOutput
{
    public required int Pid { get; init; }
    public required long UptimeMs { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string Socket { get; init; }
    public required int ProtocolVersion { get; init; }
    public string? Version { get; init; }
    public required int PeerCount { get; init; }
    public required int PendingAsks { get; init; }
    public required int Observers { get; init; }
    /// <summary>The hub's NATS space (state, host, space, urls, server, last error), when it runs with <c>--nats</c>.</summary>
    public NatsStatusInfo? Nats { get; init; }

    public static HubStatusOutput From(HubStatusReplyMessage status) => new()
    {
        Pid = status.Pid,
        UptimeMs = status.UptimeMs,
        StartedAt = status.StartedAt,
        Socket = status.Socket,
        ProtocolVersion = status.ProtocolVersion,
        Version = status.Version,
        PeerCount = status.PeerCount,
        PendingAsks = status.PendingAsks,
        Observers = status.Observers,
        Nats = status.Nats,
    };
}
