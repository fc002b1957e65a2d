namespace Relay.Protocol;

/// <summary>The closed set of error codes, as the README lists them (the original eleven, the delivery outcomes), plus <c>unexpected</c>.</summary>
public static class ErrorCodes
{
    public const string PeerNotFound = "peer_not_found";
    public const string PeerGone = "peer_gone";
    public const string Timeout = "timeout";
    public const string NameTaken = "name_taken";
    public const string NotRegistered = "not_registered";
    public const string AlreadyRegistered = "already_registered";
    public const string UnknownAsk = "unknown_ask";
    public const string BadMsg = "bad_msg";
    public const string HubUnreachable = "hub_unreachable";
    public const string BadArgs = "bad_args";
    public const string ProtocolMismatch = "protocol_mismatch";
    /// <summary>The target session refuses messages from other sessions (Claude Code's <c>crossSessionInbound</c>).</summary>
    public const string Refused = "refused";
    /// <summary>The target session held the ask for its user's approval and it expired unapproved.</summary>
    public const string Expired = "expired";
    /// <summary>The target session's Claude Code dropped the message (duplicate, rate limit, or a closed session).</summary>
    public const string Dropped = "dropped";
    public const string RateLimited = "rate_limited";
    /// <summary>An ask's plain <c>to</c> names peers on more than one host; the message lists their <c>name@host</c>.</summary>
    public const string PeerAmbiguous = "peer_ambiguous";
    /// <summary>The target is away (its channel left and may come back) and what the hub holds for it is at its bound.</summary>
    public const string HoldFull = "hold_full";
    /// <summary>Internal: a bug or I/O fault that has no better name.</summary>
    public const string Unexpected = "unexpected";
}
