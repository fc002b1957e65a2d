namespace Relay.Inbox;

/// <summary>The <c>status</c> of a <c>peer_message_status</c> receipt.</summary>
public enum InboxReceiptStatus
{
    /// <summary>A status this library does not know.</summary>
    Unknown,

    /// <summary>A held message was approved and released into the session (an accepted message gets no receipt at all).</summary>
    Delivered,

    /// <summary>Waiting for the receiving user's approval (a bypass session and a sender that did not say <c>from-mode="bypass"</c>).</summary>
    Held,

    /// <summary>A held message was not approved before the session ended.</summary>
    Expired,

    /// <summary>The session refuses cross-session messages; on the wire <c>"status":"expired","status_detail":"refused"</c>.</summary>
    Refused,

    /// <summary>Dropped by the receiver's ingress guard (rate limit, full queue, duplicate); see <c>drop_reason</c>.</summary>
    Dropped,

    /// <summary>The receiving user denied a held message.</summary>
    Denied,
}
