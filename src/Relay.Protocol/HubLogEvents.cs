namespace Relay.Protocol;

/// <summary>The event names the hub writes to the log (<c>docs/protocol.md</c>, "Logs").</summary>
public static class HubLogEvents
{
    public const string HubStart = "hub_start";
    public const string HubStop = "hub_stop";
    public const string HubIdle = "hub_idle";
    public const string HubNotStarted = "hub_not_started";
    public const string HubError = "hub_error";
    public const string PeerRegister = "peer_register";
    public const string PeerRename = "peer_rename";
    public const string PeerLeave = "peer_leave";
    public const string PeerDroppedSlow = "peer_dropped_slow";
    public const string ObserverStart = "observer_start";
    public const string AskDelivered = "ask_delivered";
    public const string ReplyDelivered = "reply_delivered";
    public const string AskTimeout = "ask_timeout";
    public const string AskPeerGone = "ask_peer_gone";
    public const string BroadcastSent = "broadcast_sent";
    public const string BadMsg = "bad_msg";
    public const string AskStatus = "ask_status";
    public const string PeerAway = "peer_away";
    public const string PeerReturn = "peer_return";
    public const string HoldExpired = "hold_expired";
    public const string AskHoldFull = "ask_hold_full";
}
