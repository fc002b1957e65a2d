using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Channels;

/// <summary>
/// What the channel does so that asks survive a hub restart (the new hub knows nothing of the old one's asks):
/// <list type="bullet">
/// <item>as an asker, after registering with a new hub it re-submits every pending ask (<see cref="PendingAsks"/>)
/// with the same ids, <c>resubmit</c> set and the time left; a target that is not back yet is retried for
/// <see cref="ReturnWait"/>, then the ask ends <c>peer_gone</c>;</item>
/// <item>as a target, it shows each ask to the model once (<see cref="SeenAsks"/>): a re-submitted ask seen before is
/// answered with the reply already written, or waits for the model's reply as before;</item>
/// <item>a reply written while the hub is away (or refused <c>unknown_ask</c> by a new hub because the asker has not
/// re-submitted yet) is kept and sent after re-registration, or when the re-submitted ask arrives.</item>
/// </list>
/// </summary>
internal sealed class AskRecovery(PendingAsks pending, SeenAsks seen, Action<ServerMessage> pushed, Logger log)
{
    /// <summary>How long a re-submission waits for its target to register again with the new hub.</summary>
    public static readonly TimeSpan ReturnWait = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    public PendingAsks Pending => pending;

    public SeenAsks Seen => seen;

    /// <summary>After a registration with a hub other than the first: re-submit pending asks and send waiting replies.</summary>
    public async Task RecoverAsync(HubClient client, int epoch, CancellationToken stopping)
    {
        try
        {
            await Task.WhenAll(ResubmitAsync(client, stopping), FlushRepliesAsync(client, epoch, stopping)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HubUnreachableException or IOException or OperationCanceledException)
        {
            // The hub went away again: the next registration starts over with what is still pending.
            log.Event(LogLevel.Info, "recovery_interrupted", ("error", ex.Message));
        }
    }

    private async Task ResubmitAsync(HubClient client, CancellationToken stopping)
    {
        var (resend, ended) = pending.Resubmissions();
        foreach (var err in ended)
        {
            pushed(err);
        }

        if (resend.Count == 0)
        {
            return;
        }

        log.Event(LogLevel.Info, "asks_resubmit", ("count", resend.Count));
        var returnBy = DateTime.UtcNow + ReturnWait;
        var ids = resend.Select(a => a.AskId).ToList();
        while (ids.Count > 0 && client.IsConnected)
        {
            var again = new List<string>();
            foreach (var askId in ids)
            {
                if (pending.Resubmission(askId) is not { } ask)
                {
                    continue;
                }

                var answer = await client.RequestAsync(ask, stopping).ConfigureAwait(false);
                switch (answer)
                {
                    case AckMessage:
                        break;
                    case ErrMessage { Code: ErrorCodes.PeerNotFound or ErrorCodes.RateLimited } when DateTime.UtcNow < returnBy:
                        again.Add(askId);
                        break;
                    case ErrMessage { Code: ErrorCodes.PeerNotFound }:
                        End(askId, ErrorCodes.PeerGone, $"{ask.To} did not come back after the hub restarted");
                        break;
                    case ErrMessage err:
                        End(askId, err.Code, err.Message);
                        break;
                }
            }

            ids = again;
            if (ids.Count > 0)
            {
                await Task.Delay(RetryPause, stopping).ConfigureAwait(false);
            }
        }
    }

    private void End(string askId, string code, string message)
    {
        if (pending.End(askId, code, message) is { } err)
        {
            log.Event(LogLevel.Info, "ask_resubmit_failed", ("ask_id", askId), ("code", code));
            pushed(err);
        }
    }

    private async Task FlushRepliesAsync(HubClient client, int epoch, CancellationToken stopping)
    {
        foreach (var (askId, text) in seen.Waiting())
        {
            await SendHeldReplyAsync(client, epoch, askId, text, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An incoming ask from the hub of connection <paramref name="epoch"/>: true to show it to the model. An ask seen
    /// before (a re-submission) is not shown again; its reply, when one was written, is sent again.
    /// </summary>
    public bool OnIncomingAsk(IncomingAskMessage ask, HubClient client, int epoch)
    {
        if (seen.Arrived(ask.AskId, epoch) is not { } known)
        {
            return true;
        }

        log.Event(LogLevel.Info, "ask_seen_before", ("ask_id", ask.AskId), ("from", ask.From), ("reply", known.State.ToString()));
        if (known.Reply is { } text)
        {
            _ = SendHeldReplyAsync(client, epoch, ask.AskId, text, CancellationToken.None);
        }

        return false;
    }

    private async Task SendHeldReplyAsync(HubClient client, int epoch, string askId, string text, CancellationToken stopping)
    {
        ServerMessage answer;
        try
        {
            answer = await client.RequestAsync(new ReplyMessage { AskId = askId, Text = text }, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HubUnreachableException or IOException or OperationCanceledException)
        {
            return;
        }

        switch (answer)
        {
            case AckMessage:
                seen.Sent(askId, text);
                log.Event(LogLevel.Info, "reply_resent", ("ask_id", askId));
                break;
            case ErrMessage { Code: ErrorCodes.UnknownAsk } when seen.EpochOf(askId) is { } delivered && delivered < epoch:
                // The asker has not re-submitted to this hub yet: the re-submitted ask will fetch the reply.
                break;
            case ErrMessage err:
                seen.Drop(askId);
                log.Event(LogLevel.Warn, "held_reply_refused", ("ask_id", askId), ("code", err.Code));
                break;
        }
    }

    /// <summary>
    /// Sends the model's reply. When the hub is away, or a new hub does not know the ask yet (its asker has not
    /// re-submitted), the reply to an ask this session was shown is kept and sent later (<c>Held</c>); over the bound
    /// of kept replies, or for an ask id this session never got, the call fails with <c>hub_unreachable</c>. A
    /// re-submission that arrives between the hub's refusal and the keeping is caught: the reply is sent again at once.
    /// </summary>
    public async Task<ReplyOutcome> ReplyAsync(Func<CancellationToken, Task<(HubClient Client, int Epoch)>> connection, string askId, string text, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await TryReplyAsync(connection, askId, text, cancellationToken).ConfigureAwait(false);
            if (outcome is not null)
            {
                return outcome;
            }

            log.Event(LogLevel.Info, "reply_retry", ("ask_id", askId), ("attempt", attempt));
            if (attempt >= MaxReplyAttempts)
            {
                throw new HubUnreachableException($"the hub kept restarting while this reply was sent ({attempt} tries); try again");
            }
        }
    }

    private const int MaxReplyAttempts = 5;

    // One try; null when the ask arrived again meanwhile (a re-submission to the hub now up) and the reply should go again.
    private async Task<ReplyOutcome?> TryReplyAsync(Func<CancellationToken, Task<(HubClient Client, int Epoch)>> connection, string askId, string text, CancellationToken cancellationToken)
    {
        var arrivedOn = seen.EpochOf(askId);
        (HubClient Client, int Epoch) current;
        ServerMessage answer;
        try
        {
            current = await connection(cancellationToken).ConfigureAwait(false);
            answer = await current.Client.RequestAsync(new ReplyMessage { AskId = askId, Text = text }, cancellationToken).ConfigureAwait(false);
        }
        catch (HubUnreachableException) when (arrivedOn is >= 0)
        {
            // An ask this session was shown: keep the answer for the hub's return.
            return Hold(askId, text, arrivedOn.Value, "the hub is restarting; the reply will be delivered when it is back");
        }

        switch (answer)
        {
            case AckMessage:
                seen.Sent(askId, text);
                return new ReplyOutcome(answer, Held: false, Note: null);
            case ErrMessage { Code: ErrorCodes.UnknownAsk } when arrivedOn is { } delivered && delivered >= 0 && delivered < current.Epoch:
                return Hold(askId, text, delivered, "the hub restarted since this ask arrived; the reply will be delivered when the asker sends the ask again");
            default:
                return new ReplyOutcome(answer, Held: false, Note: null);
        }
    }

    private ReplyOutcome? Hold(string askId, string text, int arrivedOn, string note)
    {
        switch (seen.TryHold(askId, text, arrivedOn))
        {
            case SeenAsks.HoldResult.Held:
                log.Event(LogLevel.Info, "reply_held", ("ask_id", askId));
                return new ReplyOutcome(null, Held: true, Note: note);
            case SeenAsks.HoldResult.ArrivedAgain:
                return null;
            default:
                throw new HubUnreachableException($"the hub is away and {SeenAsks.MaxWaiting} replies (or {SeenAsks.MaxWaitingBytes / (1024 * 1024)} MiB) already wait for it; try again when it is back");
        }
    }
}

/// <summary>The hub's answer to a reply, or <c>Held</c> with a note when the reply waits for the hub or the asker.</summary>
internal sealed record ReplyOutcome(ServerMessage? Answer, bool Held, string? Note);
