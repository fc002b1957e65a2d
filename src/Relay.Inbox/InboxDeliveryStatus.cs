namespace Relay.Inbox;

/// <summary>How one attempt to write a message to a session's inbox ended.</summary>
public enum InboxDeliveryStatus
{
    /// <summary>
    /// The line was written to the socket and the connection closed. Whether the session accepts it is only reported
    /// when it does not: a <c>held</c>/<c>refused</c>/<c>dropped</c> receipt (an accepted message gets no receipt).
    /// </summary>
    Delivered,

    /// <summary>No socket file at the target path: the session is gone or its inbox is off.</summary>
    SocketMissing,

    /// <summary>The file exists but nobody listens (a stale socket of a session that died).</summary>
    ConnectionRefused,

    /// <summary>The serialized line is over Claude Code's 1 MiB limit; nothing was sent.</summary>
    TooLarge,

    /// <summary>Connecting or writing failed otherwise (timeout, reset, permission, invalid address); see the error text.</summary>
    WriteFailed,

    /// <summary>Not attempted: the per-target queue was full under the receiver's rate limit.</summary>
    QueueFull,

    /// <summary>Not attempted: the outbox was disposed or the caller cancelled first.</summary>
    Cancelled,
}
