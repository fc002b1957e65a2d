using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Relay.Channels.Delivery;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Channels;

/// <summary>
/// Turns hub pushes into <c>notifications/claude/channel</c>. Claude Code drops the whole message when a meta value
/// is not a string and drops keys that are not identifiers, so meta holds only fixed identifier keys with string
/// values. The content is the peer's text verbatim (Claude Code itself escapes <c>&lt;/channel</c>).
/// </summary>
internal static class ChannelNotifications
{
    public const string Method = "notifications/claude/channel";

    public const string TypeAsk = "ask";
    public const string TypeReply = "reply";
    public const string TypeError = "error";
    public const string TypeStatus = "status";
    public const string TypeBroadcastSummary = "broadcast_summary";

    /// <summary>The notification for a hub push, or null for pushes Claude does not need to see.</summary>
    public static JsonRpcNotification? From(ServerMessage message) => message switch
    {
        IncomingAskMessage ask => Build(ask.Question, TypeAsk, from: ask.From, askId: ask.AskId, threadId: ask.ThreadId, broadcastId: ask.BroadcastId),
        IncomingReplyMessage reply => Build(reply.Text, TypeReply, from: reply.From, askId: reply.AskId, threadId: reply.ThreadId, broadcastId: reply.BroadcastId),
        ErrMessage err when err.AskId is not null || err.BroadcastId is not null => Build(
            Describe(err),
            TypeError,
            askId: err.AskId,
            threadId: err.ThreadId,
            broadcastId: err.BroadcastId,
            code: err.Code,
            to: err.To),
        // Progress the model should hear about: held means the answer may never come without the other user.
        // Waiting: the target is away (its channel restarts, or its session may be resumed); the ask is held for it.
        AskStatusMessage { Status: AskStates.Held or AskStates.Waiting } status => Build(
            Describe(status),
            TypeStatus,
            askId: status.AskId,
            threadId: status.ThreadId,
            broadcastId: status.BroadcastId,
            code: status.Status,
            to: status.To),
        _ => null,
    };

    public static JsonRpcNotification From(BroadcastSummary summary) =>
        Build(summary.Describe(), TypeBroadcastSummary, broadcastId: summary.BroadcastId);

    /// <summary>A short sentence for the model about an ask's progress.</summary>
    public static string Describe(AskStatusMessage status) => status.Status switch
    {
        AskStates.Held => $"{status.To}'s Claude Code session is holding your ask until its user approves it (that session skips permission prompts). The answer may be late or never come; an expired or timed-out ask will be reported.",
        AskStates.Waiting => $"{status.To} is away ({status.Detail ?? "its channel left"}). The hub holds your ask and delivers it if {status.To} comes back (its channel restarts or its session is resumed); otherwise peer_gone or timeout will be reported.",
        AskStates.Delivered => $"Your ask reached {status.To}'s session.",
        AskStates.Surfaced => $"{status.To}'s model has your ask.",
        _ => $"Your ask to {status.To} is {status.Status}.",
    };

    /// <summary>A short sentence for the model about an ask that ended without a reply.</summary>
    public static string Describe(ErrMessage err)
    {
        var who = err.To is { Length: > 0 } to ? to : "the peer";
        return err.Code switch
        {
            ErrorCodes.Timeout => $"No reply from {who} before the ask timed out.",
            ErrorCodes.PeerGone when err.Message.Contains("held", StringComparison.Ordinal) => $"{who} left and did not come back in time ({err.Message}).",
            ErrorCodes.PeerGone => $"{who} disconnected before replying.",
            ErrorCodes.HoldFull => $"{who} is away and the hub cannot hold more for it ({err.Message}). Nothing was kept; ask again later.",
            ErrorCodes.PeerNotFound => $"No peer named {who} is connected.",
            ErrorCodes.HubUnreachable => $"The relay hub went away before {who} replied; the ask is lost. Ask again if it still matters.",
            ErrorCodes.Refused => $"{who}'s Claude Code session refuses messages from other sessions (its user set crossSessionInbound to refuse). The ask was not delivered.",
            ErrorCodes.Expired => $"{who}'s session held the ask for its user's approval and it expired unapproved.",
            ErrorCodes.Dropped => $"{who}'s Claude Code dropped the ask ({err.Message}).",
            _ => $"The ask to {who} failed ({err.Code}).",
        };
    }

    internal static JsonRpcNotification Build(
        string content,
        string type,
        string? from = null,
        string? askId = null,
        string? threadId = null,
        string? broadcastId = null,
        string? code = null,
        string? to = null)
    {
        var meta = new JsonObject { ["type"] = type };
        Add(meta, "from", from);
        Add(meta, "to", to);
        Add(meta, "ask_id", askId);
        Add(meta, "thread_id", threadId);
        Add(meta, "broadcast_id", broadcastId);
        Add(meta, "code", code);
        return new JsonRpcNotification
        {
            Method = Method,
            Params = new JsonObject
            {
                ["content"] = content,
                ["meta"] = meta,
            },
        };
    }

    private static void Add(JsonObject meta, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            meta[key] = value;
        }
    }
}
