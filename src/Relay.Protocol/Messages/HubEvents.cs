namespace Relay.Protocol.Messages;

/// <summary>The values of <see cref="HubEventMessage.Event"/>: what an observer (<c>watch</c>) is told.</summary>
public static class HubEvents
{
    public const string PeerRegister = "peer_register";
    public const string PeerRename = "peer_rename";
    public const string PeerLeave = "peer_leave";
    public const string Ask = "ask";
    public const string Broadcast = "broadcast";
    public const string Reply = "reply";
    public const string Timeout = "timeout";
    public const string PeerGone = "peer_gone";
    /// <summary>An ask moved on (delivered, held, surfaced) or ended with a delivery outcome (refused, expired, dropped).</summary>
    public const string AskStatus = "ask_status";
}
