using System.Text.Json.Serialization;

namespace Relay.Protocol.Messages;

/// <summary>A line the hub sends to a client. The <c>type</c> property selects the kind.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(AckMessage), MessageTypes.Ack)]
[JsonDerivedType(typeof(ErrMessage), MessageTypes.Err)]
[JsonDerivedType(typeof(PeersMessage), MessageTypes.Peers)]
[JsonDerivedType(typeof(IncomingAskMessage), MessageTypes.IncomingAsk)]
[JsonDerivedType(typeof(IncomingReplyMessage), MessageTypes.IncomingReply)]
[JsonDerivedType(typeof(BroadcastAckMessage), MessageTypes.BroadcastAck)]
[JsonDerivedType(typeof(HubStatusReplyMessage), MessageTypes.HubStatusReply)]
[JsonDerivedType(typeof(HubEventMessage), MessageTypes.Event)]
[JsonDerivedType(typeof(AskStatusMessage), MessageTypes.AskStatus)]
public abstract class ServerMessage
{
    public string? ReqId { get; set; }
}

/// <summary>Success answer to register, rename, ask, reply and watch.</summary>
public sealed class AckMessage : ServerMessage
{
    /// <summary>The peer's name after register or rename.</summary>
    public string? Name { get; set; }
    public string? AskId { get; set; }
    public string? ThreadId { get; set; }
    public int? ProtocolVersion { get; set; }
    public int? HubPid { get; set; }
    /// <summary>On an ask's ack: how the hub reaches the target (<see cref="DeliveryPaths"/>).</summary>
    public string? Delivery { get; set; }
}

/// <summary>A failure. Carries <c>req_id</c> when it answers a request, <c>ask_id</c> when it ends an ask.</summary>
public sealed class ErrMessage : ServerMessage
{
    public required string Code { get; set; }
    public required string Message { get; set; }
    public string? AskId { get; set; }
    public string? BroadcastId { get; set; }
    public string? ThreadId { get; set; }
    /// <summary>The peer the failed ask was addressed to.</summary>
    public string? To { get; set; }
}

public sealed class PeersMessage : ServerMessage
{
    public required IReadOnlyList<PeerInfo> Peers { get; set; }
}

public sealed class IncomingAskMessage : ServerMessage
{
    public required string AskId { get; set; }
    public required string From { get; set; }
    public required string Question { get; set; }
    public required string ThreadId { get; set; }
    public string? BroadcastId { get; set; }
    /// <summary>How long the asker waits; a target that holds resources for the ask may free them after this.</summary>
    public long? TimeoutMs { get; set; }
}

public sealed class IncomingReplyMessage : ServerMessage
{
    public required string AskId { get; set; }
    public required string From { get; set; }
    public required string Text { get; set; }
    public required string ThreadId { get; set; }
    public string? BroadcastId { get; set; }
}

public sealed class BroadcastAckMessage : ServerMessage
{
    public required string BroadcastId { get; set; }
    public required int PeerCount { get; set; }
    /// <summary>Who the broadcast went to, so a caller can tell who did not answer.</summary>
    public IReadOnlyList<string>? Targets { get; set; }
}

public sealed class HubStatusReplyMessage : ServerMessage
{
    public required int Pid { get; set; }
    public required int ProtocolVersion { get; set; }
    public required string Socket { get; set; }
    public required DateTimeOffset StartedAt { get; set; }
    public required long UptimeMs { get; set; }
    public required int PeerCount { get; set; }
    public required int PendingAsks { get; set; }
    public required int Observers { get; set; }
    /// <summary>Of <see cref="PeerCount"/>, the Claude Code sessions without a relay channel (reached through their inbox).</summary>
    public int? NativePeers { get; set; }
    /// <summary>Claude Code channels that left and are waited for (asks to them are held), and the asks held for them.</summary>
    public int? AwayPeers { get; set; }
    public int? HeldAsks { get; set; }
    public string? Version { get; set; }
    /// <summary>The hub's NATS bridge, when it runs with <c>--nats</c>.</summary>
    public NatsStatusInfo? Nats { get; set; }
}

/// <summary>One line of hub traffic sent to observers (<c>relay watch</c>).</summary>
public sealed class HubEventMessage : ServerMessage
{
    /// <summary>Event name from the glossary: peer_register, peer_rename, peer_leave, ask, reply, timeout, peer_gone, broadcast.</summary>
    public required string Event { get; set; }
    public required DateTimeOffset At { get; set; }
    public string? Name { get; set; }
    public string? OldName { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public string? AskId { get; set; }
    public string? BroadcastId { get; set; }
    public string? ThreadId { get; set; }
    public double? LatencyMs { get; set; }
    public int? PeerCount { get; set; }
    public int? Bytes { get; set; }
    public string? Kind { get; set; }
    /// <summary>For <c>ask_status</c> events: the state reached.</summary>
    public string? Status { get; set; }
    /// <summary>The target's delivery path, on <c>ask</c>, <c>ask_status</c> and <c>peer_register</c> events.</summary>
    public string? Delivery { get; set; }
}

/// <summary>
/// Sent to an asker when its pending ask makes progress short of a reply: <c>delivered</c>, <c>surfaced</c> or
/// <c>held</c> (see <see cref="AskStates"/>). Final states arrive as <c>err</c> instead.
/// </summary>
public sealed class AskStatusMessage : ServerMessage
{
    public required string AskId { get; set; }
    public required string Status { get; set; }
    public required string To { get; set; }
    public required string ThreadId { get; set; }
    public string? BroadcastId { get; set; }
    public string? Delivery { get; set; }
    public string? Detail { get; set; }
}
