namespace Relay.Hub;

/// <summary>An ask delivered to its target and waiting for a reply, a timeout, or either side leaving.</summary>
internal sealed class PendingAsk
{
    public required string AskId { get; init; }

    public required IPeer Asker { get; init; }

    /// <summary>Who holds the ask; it moves only from a native session to that session's own channel (<see cref="PendingAsks.MoveAll"/>).</summary>
    public required IPeer Target { get; set; }

    public required string ThreadId { get; init; }

    public string? BroadcastId { get; init; }

    /// <summary>Router <see cref="TimeProvider"/> timestamp of delivery, for the reply's latency.</summary>
    public required long StartedAt { get; init; }

    public ITimer? Timer { get; set; }

    /// <summary>How far the target got (<see cref="Relay.Protocol.Messages.AskStates"/>); <c>sent</c> at first.</summary>
    public string Status { get; set; } = Relay.Protocol.Messages.AskStates.Sent;
}
