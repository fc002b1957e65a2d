namespace Relay.Hub;

/// <summary>An ask delivered to its target and waiting for a reply, a timeout, or either side leaving.</summary>
internal sealed class PendingAsk
{
    public required string AskId { get; init; }

    /// <summary>Who asked; an away asker's asks move to the peer it returns as.</summary>
    public required IPeer Asker { get; set; }

    /// <summary>Who holds the ask; it moves only from a native session to that session's own channel (<see cref="PendingAsks.MoveAll"/>).</summary>
    public required IPeer Target { get; set; }

    public required string ThreadId { get; init; }

    public string? BroadcastId { get; init; }

    /// <summary>Router <see cref="TimeProvider"/> timestamp of delivery, for the reply's latency.</summary>
    public required long StartedAt { get; init; }

    public ITimer? Timer { get; set; }

    /// <summary>The ask's whole timeout (its timer's due time), for the time left when it is held or sent again.</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>
    /// The question, kept only while it may have to be sent again: from the ask until its target (a Claude Code
    /// channel) confirms it with a receipt, and while it is held for an away target.
    /// </summary>
    public string? Question { get; set; }

    /// <summary>The away target holding this ask's question, counted against its bounds (<see cref="AwayPeers"/>).</summary>
    public AwayPeer? HeldBy { get; set; }

    /// <summary>UTF-8 bytes of <see cref="Question"/> counted while <see cref="HeldBy"/> is set.</summary>
    public long HeldBytes { get; set; }

    /// <summary>How far the target got (<see cref="Relay.Protocol.Messages.AskStates"/>); <c>sent</c> at first.</summary>
    public string Status { get; set; } = Relay.Protocol.Messages.AskStates.Sent;
}
