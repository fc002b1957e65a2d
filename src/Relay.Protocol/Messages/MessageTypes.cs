namespace Relay.Protocol.Messages;

/// <summary>The values of the <c>type</c> property on the wire.</summary>
public static class MessageTypes
{
    public const string Register = "register";
    public const string Rename = "rename";
    public const string ListPeers = "list_peers";
    public const string Ask = "ask";
    public const string Reply = "reply";
    public const string Broadcast = "broadcast";
    public const string Watch = "watch";
    public const string HubStatus = "hub_status";
    public const string Receipt = "receipt";

    public const string Ack = "ack";
    public const string Err = "err";
    public const string Peers = "peers";
    public const string IncomingAsk = "incoming_ask";
    public const string IncomingReply = "incoming_reply";
    public const string BroadcastAck = "broadcast_ack";
    public const string HubStatusReply = "hub_status_reply";
    public const string Event = "event";
    public const string AskStatus = "ask_status";
}

/// <summary>The values of <c>register.kind</c>.</summary>
public static class PeerKinds
{
    public const string Claude = "claude";
    public const string Cli = "cli";
    /// <summary>A Claude Code session without relay's channel, reached through its native inbox by the hub.</summary>
    public const string ClaudeNative = "claude-native";
}

/// <summary>How a peer's messages reach it: the values of <c>register.delivery</c> and <c>peers[].delivery</c>.</summary>
public static class DeliveryPaths
{
    /// <summary>Claude Code's native inbox socket (no flag needed; Claude Code ≥ 2.1.224).</summary>
    public const string Inbox = "inbox";
    /// <summary><c>notifications/claude/channel</c> (the session was started with relay as a channel).</summary>
    public const string Channel = "channel";
    /// <summary>Held for the session's model to fetch with the <c>relay_inbox</c> tool.</summary>
    public const string Pull = "pull";
    /// <summary>Straight to a terminal or script on its hub connection.</summary>
    public const string Socket = "socket";

    public static bool IsValid(string? path) => path is Inbox or Channel or Pull or Socket;
}

/// <summary>
/// Where an ask stands, as the target reports it (<c>receipt.status</c>) and the asker sees it (<c>ask_status.status</c>).
/// <c>sent → delivered → surfaced → answered</c>; <c>held</c> waits for the target user's approval; <c>refused</c>,
/// <c>expired</c> and <c>dropped</c> end the ask (the asker gets an <c>err</c> with that code). <c>waiting</c> is the
/// hub's own notice that the target is away and the ask is held for its return.
/// </summary>
public static class AskStates
{
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Surfaced = "surfaced";
    public const string Held = "held";
    public const string Answered = "answered";
    public const string Refused = "refused";
    public const string Expired = "expired";
    public const string Dropped = "dropped";
    /// <summary>The target is away (its channel left and may come back): the hub holds the ask for its return.</summary>
    public const string Waiting = "waiting";

    /// <summary>States a target may report in a <c>receipt</c>.</summary>
    public static bool IsReportable(string? status) => status is Delivered or Surfaced or Held or Refused or Expired or Dropped;

    /// <summary>Reported states that end the ask with an error of the same code.</summary>
    public static bool IsFinal(string? status) => status is Refused or Expired or Dropped;

    /// <summary>Order of progress; a receipt that does not move an ask forward is not forwarded again.</summary>
    public static int Rank(string? status) => status switch
    {
        Sent => 0,
        Delivered => 1,
        Held => 2,
        Surfaced => 3,
        _ => 4,
    };
}
