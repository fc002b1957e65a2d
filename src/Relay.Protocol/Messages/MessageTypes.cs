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

    public const string Ack = "ack";
    public const string Err = "err";
    public const string Peers = "peers";
    public const string IncomingAsk = "incoming_ask";
    public const string IncomingReply = "incoming_reply";
    public const string BroadcastAck = "broadcast_ack";
    public const string HubStatusReply = "hub_status_reply";
    public const string Event = "event";
}

/// <summary>The values of <c>register.kind</c>.</summary>
public static class PeerKinds
{
    public const string Claude = "claude";
    public const string Cli = "cli";
}
