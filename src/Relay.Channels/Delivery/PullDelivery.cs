using System.Text.Json;
using NLog;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Channels.Delivery;

/// <summary>
/// Holds messages until the session's model fetches them with <c>relay_inbox</c> (any MCP client, and Claude Code
/// sessions without a channel flag or native inbox). Fetching acknowledges: each message is handed out once, and an
/// ask handed out counts as <c>surfaced</c>. Bounded: past <see cref="MaxMessages"/> an incoming ask is reported
/// <c>dropped</c> to its asker and anything else is counted and announced at the next fetch — never lost silently.
/// </summary>
internal sealed class PullDelivery(Action<string, string> receipt, Logger log) : IDelivery
{
    public const int MaxMessages = 1000;

    private readonly Lock _gate = new();
    private readonly Queue<object> _queue = new();
    private int _overflowed;

    public string Path => DeliveryPaths.Pull;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public void Deliver(ServerMessage message)
    {
        if (message is not (IncomingAskMessage or IncomingReplyMessage or ErrMessage { AskId: not null } or ErrMessage { BroadcastId: not null } or AskStatusMessage { Status: AskStates.Held or AskStates.Waiting }))
        {
            return;
        }

        Enqueue(message);
    }

    public void Deliver(BroadcastSummary summary) => Enqueue(summary);

    public void Answered(string askId)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Takes every waiting message (oldest first) and writes them as the <c>messages</c> array.</summary>
    public void Drain(Utf8JsonWriter writer)
    {
        List<object> items;
        int overflowed;
        lock (_gate)
        {
            items = [.. _queue];
            _queue.Clear();
            overflowed = _overflowed;
            _overflowed = 0;
        }

        writer.WriteStartArray("messages");
        foreach (var item in items)
        {
            writer.WriteStartObject();
            Write(writer, item);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (overflowed > 0)
        {
            writer.WriteNumber("overflowed", overflowed);
            writer.WriteString("note", $"{overflowed} message(s) did not fit in the inbox ({MaxMessages} at most) and were not kept; asks among them were reported to their askers as dropped");
        }

        foreach (var item in items)
        {
            if (item is IncomingAskMessage ask)
            {
                receipt(ask.AskId, AskStates.Surfaced);
            }
        }
    }

    private void Enqueue(object item)
    {
        lock (_gate)
        {
            if (_queue.Count < MaxMessages)
            {
                _queue.Enqueue(item);
                return;
            }

            _overflowed++;
        }

        log.Event(LogLevel.Warn, "pull_inbox_full", ("max", MaxMessages));
        if (item is IncomingAskMessage ask)
        {
            receipt(ask.AskId, AskStates.Dropped);
        }
    }

    private static void Write(Utf8JsonWriter writer, object item)
    {
        switch (item)
        {
            case IncomingAskMessage ask:
                WriteExchange(writer, ChannelNotifications.TypeAsk, ask.From, ask.AskId, ask.ThreadId, ask.BroadcastId, ask.Question);
                break;
            case IncomingReplyMessage reply:
                WriteExchange(writer, ChannelNotifications.TypeReply, reply.From, reply.AskId, reply.ThreadId, reply.BroadcastId, reply.Text);
                break;
            case ErrMessage err:
                writer.WriteString("type", ChannelNotifications.TypeError);
                WriteIf(writer, "to", err.To);
                WriteIf(writer, "ask_id", err.AskId);
                WriteIf(writer, "thread_id", err.ThreadId);
                WriteIf(writer, "broadcast_id", err.BroadcastId);
                writer.WriteString("code", err.Code);
                writer.WriteString("text", ChannelNotifications.Describe(err));
                break;
            case AskStatusMessage status:
                writer.WriteString("type", ChannelNotifications.TypeStatus);
                writer.WriteString("to", status.To);
                writer.WriteString("ask_id", status.AskId);
                writer.WriteString("status", status.Status);
                writer.WriteString("text", ChannelNotifications.Describe(status));
                break;
            case BroadcastSummary summary:
                writer.WriteString("type", ChannelNotifications.TypeBroadcastSummary);
                writer.WriteString("broadcast_id", summary.BroadcastId);
                writer.WriteString("text", summary.Describe());
                break;
        }
    }

    /// <summary>An ask or a reply: the same fields, in the same order.</summary>
    private static void WriteExchange(Utf8JsonWriter writer, string type, string from, string askId, string threadId, string? broadcastId, string text)
    {
        writer.WriteString("type", type);
        writer.WriteString("from", from);
        writer.WriteString("ask_id", askId);
        writer.WriteString("thread_id", threadId);
        WriteIf(writer, "broadcast_id", broadcastId);
        writer.WriteString("text", text);
    }

    private static void WriteIf(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
