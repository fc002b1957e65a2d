using System.Text;
using Relay.Inbox;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Hub.Native;

/// <summary>
/// A Claude Code session that runs no relay channel, reached through its native inbox socket. The hub writes each
/// ask into the inbox (from an answer address of its own); Claude Code's receipts and the model's native
/// <c>SendMessage</c> answer come back as receipts and replies through <see cref="Router.HandleMessage"/>. It never
/// asks anything itself, so only <c>incoming_ask</c> is ever sent to it; everything else is ignored.
/// </summary>
internal sealed class NativeSessionPeer : IPeer, IAsyncDisposable
{
    private static long s_nextId = 1_000_000_000;

    private readonly InboxConversation _conversation;
    private readonly Action<IPeer, ClientMessage> _report;

    public NativeSessionPeer(ClaudeSessionRecord session, InboxOutbox outbox, Action<IPeer, ClientMessage> report, DateTimeOffset now)
    {
        Session = session;
        _report = report;
        _conversation = new InboxConversation(session.MessagingSocketPath!, outbox);
        _conversation.AskReceipt += OnReceipt;
        _conversation.AskAnswered += OnAnswered;
        Id = Interlocked.Increment(ref s_nextId);
        Cwd = session.Cwd;
        GitBranch = session.Cwd is { } cwd ? Relay.Runtime.GitBranch.Read(cwd) : null;
        Pid = session.Pid;
        ClaudePid = session.Pid;
        SessionId = session.SessionId;
        ConnectedAt = now;
        LastSeen = now;
    }

    public ClaudeSessionRecord Session { get; }

    /// <summary>The session's own channel, once this peer gave way to it: answers that still arrive here speak for it.</summary>
    public IPeer? Successor { get; set; }

    public long Id { get; }

    public string? Name { get; set; }

    public bool IsObserver { get; set; }

    public bool Departed { get; set; }

    public string? Kind { get; set; } = PeerKinds.ClaudeNative;

    public string? Cwd { get; set; }

    public string? GitBranch { get; set; }

    public int? Pid { get; set; }

    public string Delivery { get; set; } = DeliveryPaths.Inbox;

    public int? ClaudePid { get; set; }

    public string? SessionId { get; set; }

    public DateTimeOffset ConnectedAt { get; }

    public DateTimeOffset LastSeen { get; set; }

    public Dictionary<string, PendingAsk> AsksTo { get; } = new(StringComparer.Ordinal);

    public HashSet<PendingAsk> AsksFrom { get; } = [];

    public long QueuedBytes => 0;

    public SendResult Send(ServerMessage message)
    {
        if (message is IncomingAskMessage ask)
        {
            Write(ask);
        }

        return SendResult.Queued;
    }

    public SendResult Send(ReadOnlySpan<byte> line) => SendResult.Queued;

    public void Complete()
    {
    }

    /// <summary>The session left: its answer addresses close (in the background; the router lock is held).</summary>
    public void Abort() => _ = DisposeAsync().AsTask();

    /// <summary>Gave way to the session's channel: no new asks; open answer addresses live until their asks end.</summary>
    public void Retire() => _conversation.DisposeWhenIdle();

    public ValueTask DisposeAsync() => _conversation.DisposeAsync();

    /// <summary>The ask ended at the hub (timeout, asker left): its answer address may close.</summary>
    public void Forget(string askId) => _conversation.Close(askId);

    private void Write(IncomingAskMessage ask)
    {
        var lifetime = TimeSpan.FromMilliseconds(ask.TimeoutMs ?? 120_000) + TimeSpan.FromSeconds(30);
        var write = _conversation.SendAskAsync(ask.AskId, lifetime, from => InboxEnvelope.Build(
            from,
            ask.From,
            InboxSenderMode.Prompting,
            RelayInboxText.Ask(ask.From, ask.AskId, ask.ThreadId, ask.BroadcastId, ask.Question, from, hasRelayTools: false)));
        _ = write.ContinueWith(
            done =>
            {
                if (done.IsCompletedSuccessfully && done.Result.IsDelivered)
                {
                    // Claude Code sends no receipt for a message it accepts: its inbox taking the line is the delivery.
                    _report(this, new ReceiptMessage { AskId = ask.AskId, Status = AskStates.Delivered });
                    return;
                }

                var (status, detail) = done.IsCompletedSuccessfully
                    ? ReceiptStates.ForFailedWrite(done.Result)
                    : (AskStates.Dropped, done.Exception?.GetBaseException().Message ?? "the write failed");
                _report(this, new ReceiptMessage { AskId = ask.AskId, Status = status, Detail = detail });
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnReceipt(string askId, InboxReceipt receipt)
    {
        if (ReceiptStates.ToAskState(receipt.Status) is { } status)
        {
            _report(this, new ReceiptMessage { AskId = askId, Status = status, Detail = ReceiptStates.Detail(receipt) });
        }
    }

    private void OnAnswered(string askId, string text) =>
        _report(this, new ReplyMessage { AskId = askId, Text = FitText(text) });

    /// <summary>A native answer over relay's text limit is cut (and says so) rather than lost.</summary>
    private static string FitText(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) <= Limits.MaxTextBytes)
        {
            return text;
        }

        const string note = "\n… (cut by relay: the answer was longer than 512 KiB)";
        var budget = Limits.MaxTextBytes - Encoding.UTF8.GetByteCount(note);
        int low = 0, high = text.Length;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Encoding.UTF8.GetByteCount(text.AsSpan(0, mid)) <= budget)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        var chars = low > 0 && char.IsHighSurrogate(text[low - 1]) ? low - 1 : low;
        return text[..chars] + note;
    }

    public override string ToString() => Name ?? "native#" + Id;
}
