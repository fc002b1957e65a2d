using NLog;
using Relay.Protocol;
using Relay.Runtime;

namespace Relay.Inbox;

/// <summary>
/// relay's side of the conversation with one Claude Code session through its native inbox. Each ask goes out from an
/// address of its own (a listener bound next to the session's socket), so Claude Code's receipts for it and the
/// model's native <c>SendMessage</c> answer to it come back to exactly that ask. Other messages (replies, errors,
/// notices) go out from one shared notice address. The process that writes must also listen: Claude Code sends
/// receipts only to a socket served by the writer.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="MaxOpenAsks"/> ask addresses at once; further asks go out from the notice address, and
/// an answer there is matched to an open ask by the <c>ask_id</c> it quotes. An ask's address closes when it is
/// answered, closed by the owner, or its lifetime passes.
/// </remarks>
public sealed class InboxConversation : IAsyncDisposable
{
    public const int MaxOpenAsks = 256;

    private static readonly Logger Log = RelayLog.For("inbox");

    private readonly Lock _gate = new();
    private readonly Dictionary<string, OpenAsk> _asks = new(StringComparer.Ordinal);
    private readonly InboxOutbox _outbox;
    private readonly string? _authToken;
    private readonly TimeProvider _time;
    private readonly string _directory;
    private InboxListener? _notice;
    private bool _disposed;
    private bool _retiring;

    /// <param name="targetSocket">The session's inbox socket.</param>
    /// <param name="outbox">Paces writes per target; may be shared by several conversations.</param>
    /// <param name="authToken">The child token (<c>CLAUDE_CODE_MESSAGING_TOKEN</c>) when writing to one's own session.</param>
    /// <param name="time">Clock for the answer addresses' lifetimes; <see cref="TimeProvider.System"/> when null.</param>
    public InboxConversation(string targetSocket, InboxOutbox outbox, string? authToken = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetSocket);
        TargetSocket = targetSocket;
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _authToken = authToken;
        _time = time ?? TimeProvider.System;
        _directory = Path.GetDirectoryName(targetSocket) ?? "/";
    }

    public string TargetSocket { get; }

    /// <summary>Claude Code reported on an ask (delivered, held, refused, expired, dropped, denied).</summary>
    public event Action<string, InboxReceipt>? AskReceipt;

    /// <summary>The session's model answered an ask with <c>SendMessage</c>: ask id, answer text.</summary>
    public event Action<string, string>? AskAnswered;

    /// <summary>Claude Code reported on a notice (a reply, error or status sent into the session).</summary>
    public event Action<InboxReceipt>? NoticeReceipt;

    /// <summary>
    /// Sends an ask. <paramref name="content"/> gets the address to answer to and returns the whole message content
    /// (an envelope). The address stays open for <paramref name="lifetime"/> or until answered or closed.
    /// </summary>
    public async Task<InboxDelivery> SendAskAsync(string askId, TimeSpan lifetime, Func<string, string> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var listener = OpenAskAddress(askId, lifetime);
        var from = listener?.Address ?? NoticeListener().Address;
        var delivery = await _outbox.SendAsync(TargetSocket, new InboxMessage(content(from), from, _authToken), cancellationToken).ConfigureAwait(false);
        if (!delivery.IsDelivered)
        {
            Close(askId);
        }

        return delivery;
    }

    /// <summary>Sends a message that expects no answer (a reply to this session's ask, an error, a summary).</summary>
    public Task<InboxDelivery> SendNoticeAsync(Func<string, string> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var from = NoticeListener().Address;
        return _outbox.SendAsync(TargetSocket, new InboxMessage(content(from), from, _authToken), cancellationToken);
    }

    /// <summary>The ask ended (answered by other means, timed out, or its asker left): its address closes.</summary>
    public void Close(string askId)
    {
        OpenAsk? open;
        bool idle;
        lock (_gate)
        {
            if (!_asks.Remove(askId, out open))
            {
                return;
            }

            idle = _retiring && _asks.Count == 0;
        }

        open.Dispose();
        if (idle)
        {
            _ = DisposeAsync().AsTask();
        }
    }

    /// <summary>No more messages will be sent: dispose as soon as no ask's address is open (at once when none is).</summary>
    public void DisposeWhenIdle()
    {
        bool idle;
        lock (_gate)
        {
            _retiring = true;
            idle = _asks.Count == 0;
        }

        if (idle)
        {
            _ = DisposeAsync().AsTask();
        }
    }

    private InboxListener? OpenAskAddress(string askId, TimeSpan lifetime)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_asks.Count >= MaxOpenAsks || _asks.ContainsKey(askId))
            {
                return null;
            }
        }

        var listener = new InboxListener(InboxAddress.NewIn(_directory), _time);
        try
        {
            listener.Start();
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            Log.Event(LogLevel.Warn, "inbox_address_failed", ("dir", _directory), ("error", ex.Message));
            listener.DisposeAsync().AsTask().Wait();
            return null;
        }

        listener.ReceiptReceived += receipt => AskReceipt?.Invoke(askId, receipt);
        listener.MessageReceived += message =>
        {
            AskAnswered?.Invoke(askId, AnswerText(message));
            Close(askId);
        };
        var timer = _time.CreateTimer(_ => Close(askId), null, lifetime, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _asks[askId] = new OpenAsk(listener, timer);
        }

        return listener;
    }

    private InboxListener NoticeListener()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_notice is not null)
            {
                return _notice;
            }

            var listener = new InboxListener(InboxAddress.NewIn(_directory), _time);
            listener.Start();
            listener.ReceiptReceived += receipt => NoticeReceipt?.Invoke(receipt);
            listener.MessageReceived += OnNoticeMessage;
            _notice = listener;
            return listener;
        }
    }

    /// <summary>An answer to the notice address: it belongs to the ask it quotes, if any.</summary>
    private void OnNoticeMessage(InboxIncomingMessage message)
    {
        var text = AnswerText(message);
        // The owner checks that the quoted ask is really pending for this session (the hub answers unknown_ask if not).
        var match = RelayInboxText.AskIdsIn(text).Concat(QuotedIds(text)).FirstOrDefault();
        if (match is null)
        {
            Log.Event(LogLevel.Info, "inbox_unmatched_message", ("from", message.From), ("bytes", text.Length));
            return;
        }

        AskAnswered?.Invoke(match, text);
        Close(match);
    }

    /// <summary>Ask ids quoted as <c>ask_id=X</c> or <c>ask_id="X"</c> anywhere in an answer.</summary>
    private static IEnumerable<string> QuotedIds(string text)
    {
        var at = 0;
        while ((at = text.IndexOf("ask_id=", at, StringComparison.Ordinal)) >= 0)
        {
            at += "ask_id=".Length;
            var start = at < text.Length && text[at] == '"' ? at + 1 : at;
            var end = start;
            while (end < text.Length && end - start < Limits.MaxIdLength && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '.' or '_' or '-'))
            {
                end++;
            }

            if (end > start)
            {
                yield return text[start..end];
            }
        }
    }

    private static string AnswerText(InboxIncomingMessage message) => message.Envelope?.Body ?? message.Body;

    public async ValueTask DisposeAsync()
    {
        List<OpenAsk> open;
        InboxListener? notice;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            open = [.. _asks.Values];
            _asks.Clear();
            notice = _notice;
            _notice = null;
        }

        foreach (var ask in open)
        {
            ask.Dispose();
        }

        if (notice is not null)
        {
            await notice.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record OpenAsk(InboxListener Listener, ITimer Timer) : IDisposable
    {
        public void Dispose()
        {
            Timer.Dispose();
            // Closing never blocks the caller (it may be the listener's own read loop): let it finish in the background.
            _ = Listener.DisposeAsync().AsTask();
        }
    }
}
