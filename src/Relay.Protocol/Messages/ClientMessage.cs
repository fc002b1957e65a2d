using System.Text.Json.Serialization;

namespace Relay.Protocol.Messages;

/// <summary>A line a client sends to the hub. The <c>type</c> property selects the kind.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(RegisterMessage), MessageTypes.Register)]
[JsonDerivedType(typeof(RenameMessage), MessageTypes.Rename)]
[JsonDerivedType(typeof(ListPeersMessage), MessageTypes.ListPeers)]
[JsonDerivedType(typeof(AskMessage), MessageTypes.Ask)]
[JsonDerivedType(typeof(ReplyMessage), MessageTypes.Reply)]
[JsonDerivedType(typeof(BroadcastMessage), MessageTypes.Broadcast)]
[JsonDerivedType(typeof(WatchMessage), MessageTypes.Watch)]
[JsonDerivedType(typeof(HubStatusMessage), MessageTypes.HubStatus)]
[JsonDerivedType(typeof(ReceiptMessage), MessageTypes.Receipt)]
public abstract class ClientMessage
{
    /// <summary>Correlates the hub's answer (ack, err, peers, broadcast_ack, hub_status) with this request.</summary>
    public string? ReqId { get; set; }
}

/// <summary>Joins the hub as a peer. Must be the first message of a peer connection.</summary>
public sealed class RegisterMessage : ClientMessage
{
    public required string Name { get; set; }
    public required int ProtocolVersion { get; set; }
    public string? Cwd { get; set; }
    public string? GitBranch { get; set; }
    public int? Pid { get; set; }
    /// <summary><c>claude</c> for a Claude Code channel, <c>cli</c> for a terminal or script.</summary>
    public string? Kind { get; set; }
    /// <summary>How messages reach this peer (<see cref="DeliveryPaths"/>); <c>socket</c> when absent.</summary>
    public string? Delivery { get; set; }
    /// <summary>For a channel: the pid of the Claude Code session it serves (so the hub does not list it twice).</summary>
    public int? ClaudePid { get; set; }
    /// <summary>For a channel: the Claude Code session id (stable across <c>--resume</c>; used by hook receipts).</summary>
    public string? SessionId { get; set; }
}

public sealed class RenameMessage : ClientMessage
{
    public required string Name { get; set; }
}

public sealed class ListPeersMessage : ClientMessage;

public sealed class AskMessage : ClientMessage
{
    public required string To { get; set; }
    public required string Question { get; set; }
    public required string AskId { get; set; }
    public string? ThreadId { get; set; }
    public long? TimeoutMs { get; set; }
    /// <summary>
    /// True when the asker sends an ask again after a hub restart (same <c>ask_id</c> and <c>thread_id</c>, the
    /// remaining timeout): a target that already has it does not show it again.
    /// </summary>
    public bool? Resubmit { get; set; }
}

public sealed class ReplyMessage : ClientMessage
{
    public required string AskId { get; set; }
    public required string Text { get; set; }
    /// <summary>
    /// Answer an ask held by another peer of this machine (a <c>relay listen</c> terminal) by naming that peer.
    /// The hub accepts it only when the ask's target has this name.
    /// </summary>
    public string? OnBehalfOf { get; set; }
}

public sealed class BroadcastMessage : ClientMessage
{
    public required string Question { get; set; }
    public string? ThreadId { get; set; }
    public long? TimeoutMs { get; set; }
}

/// <summary>Turns the connection into a read-only observer of hub events (<c>relay watch</c>). Not a peer.</summary>
public sealed class WatchMessage : ClientMessage
{
    public required int ProtocolVersion { get; set; }
}

/// <summary>Asks the hub about itself; allowed on any connection, registered or not.</summary>
public sealed class HubStatusMessage : ClientMessage;

/// <summary>
/// The target of an ask reports how far it got (<see cref="AskStates"/>). Sent by the peer holding the ask, by a
/// peer answering for it (<c>on_behalf_of</c>), or by a one-shot helper of its Claude Code session (a hook) that
/// names the session with <c>session_id</c>.
/// </summary>
public sealed class ReceiptMessage : ClientMessage
{
    public required string AskId { get; set; }
    public required string Status { get; set; }
    /// <summary>A short human reason (for example Claude Code's own words), at most 256 characters.</summary>
    public string? Detail { get; set; }
    public string? OnBehalfOf { get; set; }
    public string? SessionId { get; set; }
}
