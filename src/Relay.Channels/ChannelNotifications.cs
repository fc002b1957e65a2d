using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
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
        _ => null,
    };

    /// <summary>A short sentence for the model about an ask that ended without a reply.</summary>
    public static string Describe(ErrMessage err)
    {
        var who = err.To is { Length: > 0 } to ? to : "the peer";
        return err.Code switch
        {
            ErrorCodes.Timeout => $"No reply from {who} before the ask timed out.",
            ErrorCodes.PeerGone => $"{who} disconnected before replying.",
            ErrorCodes.PeerNotFound => $"No peer named {who} is connected.",
            ErrorCodes.HubUnreachable => $"The relay hub went away before {who} replied; the ask is lost. Ask again if it still matters.",
            _ => $"The ask to {who} failed ({err.Code}).",
        };
    }

    private static JsonRpcNotification Build(
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
