using NLog;
using Relay.Inbox;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Channels.Delivery;

/// <summary>
/// Delivers into the session's native inbox (Claude Code ≥ 2.1.224; no flag needed), writing from this channel
/// process, a child of the session. Each ask goes out from its own answer address next to the session's socket, so
/// Claude Code's receipts become ask states at the asker and a native <c>SendMessage</c> answer becomes a reply.
/// When the inbox will not take a message (the socket is gone, a write fails), the message waits for
/// <c>relay_inbox</c> instead: one path per message, never two, never none.
/// </summary>
internal sealed class InboxDelivery : IDelivery
{
    /// <summary>How long an ask's answer address outlives the asker's timeout (a late answer still gets unknown_ask).</summary>
    private static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DefaultAskLifetime = TimeSpan.FromMinutes(2);

    private readonly InboxConversation _conversation;
    private readonly InboxOutbox _outbox;
    private readonly PullDelivery _fallback;
    private readonly HubLink _link;
    private readonly Logger _log;

    private InboxDelivery(InboxConversation conversation, InboxOutbox outbox, HubLink link, Logger log)
    {
        _conversation = conversation;
        _outbox = outbox;
        _link = link;
        _log = log;
        _fallback = new PullDelivery((askId, status) => link.SendReceipt(askId, status), log);
        conversation.AskReceipt += OnAskReceipt;
        conversation.AskAnswered += OnAskAnswered;
        conversation.NoticeReceipt += receipt => _log.Event(LogLevel.Debug, "inbox_notice_receipt", ("status", receipt.RawStatus), ("msg_id", receipt.OrigMsgId));
    }

    public string Path => DeliveryPaths.Inbox;

    /// <summary>Messages the inbox would not take, waiting for relay_inbox.</summary>
    public PullDelivery Fallback => _fallback;

    public static InboxDelivery Create(string inboxSocket, HubLink link, Logger log)
    {
        var outbox = new InboxOutbox();
        var token = Environment.GetEnvironmentVariable(InboxEnvironment.Token) is { Length: > 0 } t ? t : null;
        return new InboxDelivery(new InboxConversation(inboxSocket, outbox, token), outbox, link, log);
    }

    public void Deliver(ServerMessage message)
    {
        switch (message)
        {
            case IncomingAskMessage ask:
                var lifetime = (ask.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : DefaultAskLifetime) + AnswerGrace;
                Track(ask, _conversation.SendAskAsync(ask.AskId, lifetime, from => InboxEnvelope.Build(
                    from,
                    ask.From,
                    InboxSenderMode.Prompting,
                    RelayInboxText.Ask(ask.From, ask.AskId, ask.ThreadId, ask.BroadcastId, ask.Question, from, hasRelayTools: true))));
                break;
            case IncomingReplyMessage reply:
                Notice(message, reply.From, RelayInboxText.Reply(reply.From, reply.AskId, reply.ThreadId, reply.BroadcastId, reply.Text));
                break;
            case ErrMessage err when err.AskId is not null || err.BroadcastId is not null:
                Notice(message, "relay", RelayInboxText.Error(err.To, err.AskId, err.ThreadId, err.BroadcastId, err.Code, ChannelNotifications.Describe(err)));
                break;
            case AskStatusMessage { Status: AskStates.Held or AskStates.Waiting } status:
                Notice(message, "relay", RelayInboxText.Status(status.To, status.AskId, status.Status, ChannelNotifications.Describe(status)));
                break;
        }
    }

    public void Deliver(BroadcastSummary summary) =>
        Track(summary, _conversation.SendNoticeAsync(from => InboxEnvelope.Build(from, "relay", InboxSenderMode.Prompting, RelayInboxText.Summary(summary.BroadcastId, summary.Describe()))));

    public void Answered(string askId) => _conversation.Close(askId);

    private void Notice(ServerMessage message, string fromName, string body) =>
        Track(message, _conversation.SendNoticeAsync(from => InboxEnvelope.Build(from, fromName, InboxSenderMode.Prompting, body)));

    /// <summary>When the write fails, the message goes to the relay_inbox queue instead (and is logged).</summary>
    private void Track(object message, Task<Relay.Inbox.InboxDelivery> write)
    {
        _ = write.ContinueWith(
            done =>
            {
                var result = done.IsCompletedSuccessfully ? done.Result : null;
                if (result is { IsDelivered: true })
                {
                    // Claude Code sends no receipt for a message it accepts (only for held, refused, dropped, …):
                    // its inbox taking the line is the delivery.
                    if (message is IncomingAskMessage delivered)
                    {
                        _link.SendReceipt(delivered.AskId, AskStates.Delivered);
                    }

                    return;
                }

                _log.Event(LogLevel.Warn, "inbox_write_failed", ("status", result?.Status.ToString() ?? "exception"), ("error", result?.Error ?? done.Exception?.GetBaseException().Message), ("fallback", DeliveryPaths.Pull));
                switch (message)
                {
                    case ServerMessage server:
                        _fallback.Deliver(server);
                        break;
                    case BroadcastSummary summary:
                        _fallback.Deliver(summary);
                        break;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnAskReceipt(string askId, InboxReceipt receipt)
    {
        if (ReceiptStates.ToAskState(receipt.Status) is { } state)
        {
            _link.SendReceipt(askId, state, ReceiptStates.Detail(receipt));
        }
    }

    private void OnAskAnswered(string askId, string text) => _ = ReplyAsync(askId, text);

    private async Task ReplyAsync(string askId, string text)
    {
        try
        {
            var outcome = await _link.ReplyAsync(askId, text, CancellationToken.None).ConfigureAwait(false);
            var result = outcome.Held ? "held" : (outcome.Answer as ErrMessage)?.Code ?? "replied";
            _log.Event(outcome.Answer is ErrMessage ? LogLevel.Warn : LogLevel.Debug, "inbox_answer", ("ask_id", askId), ("result", result));
        }
        catch (Exception ex) when (ex is HubUnreachableException or RegisterRefusedException or IOException)
        {
            _log.Event(LogLevel.Warn, "inbox_answer_unsent", ("ask_id", askId), ("error", ex.Message));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _conversation.DisposeAsync().ConfigureAwait(false);
        await _outbox.DisposeAsync().ConfigureAwait(false);
    }
}
