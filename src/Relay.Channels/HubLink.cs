using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Channels;

/// <summary>
/// The channel's one registered connection to the hub. Connects (spawning a hub when none answers), registers under
/// the first free name (<see cref="LinkNames"/>, <see cref="PeerRegistrar"/>), and when the hub goes away reconnects
/// on <see cref="BackoffPolicy.Reconnect"/> and re-registers under the same name. Asks survive the restart
/// (<see cref="AskRecovery"/>): pending asks are re-submitted to the new hub, and replies written meanwhile are sent
/// when it is back. An ask whose deadline passes while the hub is away ends with <c>timeout</c>; when no hub can be
/// reached for <see cref="GiveUpAfter"/> (default <see cref="DefaultGiveUpAfter"/>), everything pending ends with <c>hub_unreachable</c>. Tool calls never wait
/// long for a hub: up to <see cref="InitialWait"/> after startup for the first registration, and at most
/// <see cref="ReconnectWait"/> while reconnecting (a tool call also cuts a backoff pause short).
/// </summary>
internal sealed partial class HubLink : IAsyncDisposable
{
    /// <summary>How long a tool waits for the very first connection (which may have to spawn the hub).</summary>
    private static readonly TimeSpan InitialWait = TimeSpan.FromSeconds(10);

    /// <summary>How long a tool waits for a reconnect attempt before answering <c>hub_unreachable</c>.</summary>
    private static readonly TimeSpan ReconnectWait = TimeSpan.FromSeconds(1);

    /// <summary>How long pending asks wait for any hub to come back before they end with <c>hub_unreachable</c>.</summary>
    public static readonly TimeSpan DefaultGiveUpAfter = TimeSpan.FromSeconds(60);

    /// <summary>While connected the hub's timer ends an ask; the channel's own deadline check waits this much longer.</summary>
    private static readonly TimeSpan ConnectedGrace = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ExpiryTick = TimeSpan.FromMilliseconds(250);

    private readonly DataDir _dataDir;
    private readonly PeerIdentity _identity;
    private readonly Action<ServerMessage> _pushed;
    private readonly Action<Delivery.BroadcastSummary> _summarized;
    private readonly Logger _log;
    private readonly LinkNames _names;
    private readonly AskRecovery _recovery;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private HubClient? _client;
    private int _epoch;
    private int _clientEpoch;
    private TaskCompletionSource<bool> _attempt = NewAttempt();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _wakeRequested;
    private bool _everConnected;
    private DateTime _startedAt = DateTime.UtcNow;
    private RegisterRefusedException? _refusal;
    private Task _loop = Task.CompletedTask;
    private ITimer? _expiry;

    /// <summary>How long pending asks wait for a hub to come back (<c>RELAY_HUB_GIVE_UP_MS</c>) before they end with <c>hub_unreachable</c>.</summary>
    public TimeSpan GiveUpAfter { get; init; } = DefaultGiveUpAfter;

    public HubLink(DataDir dataDir, PeerIdentity identity, Action<ServerMessage> pushed, Action<Delivery.BroadcastSummary> summarized, Logger log)
    {
        _dataDir = dataDir;
        _identity = identity;
        _pushed = pushed;
        _summarized = summarized;
        _log = log;
        _names = new LinkNames(identity.BaseName);
        _recovery = new AskRecovery(new PendingAsks(), new SeenAsks(), pushed, log);
    }

    /// <summary>Asks and broadcasts awaiting their end.</summary>
    public PendingAsks Pending => _recovery.Pending;

    /// <summary>The registered name, or the name the channel will try first while not registered.</summary>
    public string Name => _names.Current;

    public void Start()
    {
        _startedAt = DateTime.UtcNow;
        _expiry = TimeProvider.System.CreateTimer(_ => ExpireAsks(), null, ExpiryTick, ExpiryTick);
        _loop = RunAsync();
    }

    /// <summary>
    /// Sends a request on the registered connection and returns the hub's answer (an err answer is returned, not
    /// thrown). Throws <see cref="HubUnreachableException"/> when there is no hub to talk to.
    /// </summary>
    public async Task<ServerMessage> RequestAsync(ClientMessage message, CancellationToken cancellationToken)
    {
        var (client, _) = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        return await client.RequestAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers an incoming ask; the reply is kept and sent later when the hub is away (see <see cref="AskRecovery"/>).</summary>
    public Task<ReplyOutcome> ReplyAsync(string askId, string text, CancellationToken cancellationToken) =>
        _recovery.ReplyAsync(GetClientAsync, askId, text, cancellationToken);

    /// <summary>Renames this peer; on success the new name is also the one re-registered after a reconnect.</summary>
    public async Task<ServerMessage> RenameAsync(string newName, CancellationToken cancellationToken)
    {
        var answer = await RequestAsync(new RenameMessage { Name = newName }, cancellationToken).ConfigureAwait(false);
        if (answer is AckMessage ack)
        {
            var name = ack.Name ?? newName;
            var old = _names.Renamed(name);
            _log.Event(LogLevel.Info, "peer_rename", ("old_name", old), ("name", name));
        }

        return answer;
    }

    /// <summary>
    /// Tells the hub how far an incoming ask got (<see cref="AskStates"/>), without waiting: a receipt that cannot be
    /// sent (no hub) is logged; the asker then learns the outcome from the ask's reply or timeout.
    /// </summary>
    public void SendReceipt(string askId, string status, string? detail = null)
    {
        _ = SendReceiptAsync(askId, status, detail);
    }

    private async Task SendReceiptAsync(string askId, string status, string? detail)
    {
        try
        {
            var answer = await RequestAsync(new ReceiptMessage { AskId = askId, Status = status, Detail = detail }, _stopping.Token).ConfigureAwait(false);
            _log.Event(LogLevel.Debug, "receipt_sent", ("ask_id", askId), ("status", status), ("answer", (answer as ErrMessage)?.Code ?? "ack"));
        }
        catch (Exception ex) when (ex is HubUnreachableException or RegisterRefusedException or OperationCanceledException or IOException)
        {
            _log.Event(LogLevel.Info, "receipt_unsent", ("ask_id", askId), ("status", status), ("error", ex.Message));
        }
    }

    /// <summary>Makes <paramref name="name"/> the first name tried at the next registration (used while the hub is away).</summary>
    public void PreferName(string name) => _names.Prefer(name);

    private async Task<(HubClient Client, int Epoch)> GetClientAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReconnectWait;
        while (true)
        {
            Task<bool> attempt;
            lock (_gate)
            {
                if (_client is { IsConnected: true } connected)
                {
                    return (connected, _clientEpoch);
                }

                // Until the first registration, a tool waits for the startup budget (a spawned hub may be slow to come up).
                if (!_everConnected && _startedAt + InitialWait > deadline)
                {
                    deadline = _startedAt + InitialWait;
                }

                attempt = _attempt.Task;
                // Cut a backoff pause short: someone wants the hub now (another session may have started one meanwhile).
                _wakeRequested = true;
                _wake.TrySetResult();
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw Unreachable("the relay hub is unreachable");
            }

            try
            {
                await attempt.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw Unreachable("the relay hub is unreachable (reconnecting)");
            }
        }
    }

    // A hub that answers but will not take us (protocol_mismatch) is worth naming: the user can restart it.
    private Exception Unreachable(string message)
    {
        lock (_gate)
        {
            return _refusal is { Code: ErrorCodes.ProtocolMismatch } refusal ? refusal : new HubUnreachableException(message);
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        var failures = 0;
        DateTime? lostAt = null;
        while (!stopping.IsCancellationRequested)
        {
            TaskCompletionSource<bool> attempt;
            lock (_gate)
            {
                attempt = _attempt;
            }

            if (failures > 0)
            {
                await PauseAsync(BackoffPolicy.Reconnect.Delay(failures), stopping).ConfigureAwait(false);
                if (stopping.IsCancellationRequested)
                {
                    break;
                }
            }

            var (client, epoch) = await TryConnectAsync(stopping).ConfigureAwait(false);
            bool reconnected;
            lock (_gate)
            {
                _client = client;
                _clientEpoch = epoch;
                reconnected = _everConnected && client is not null;
                _everConnected |= client is not null;
                _attempt = NewAttempt();
            }

            attempt.TrySetResult(client is not null);
            if (client is null)
            {
                failures++;
                if (lostAt is { } since && DateTime.UtcNow - since > GiveUpAfter)
                {
                    GiveUp();
                    lostAt = null;
                }

                continue;
            }

            failures = 0;
            lostAt = null;
            if (reconnected)
            {
                _ = _recovery.RecoverAsync(client, epoch, stopping);
            }

            await client.Completion.ConfigureAwait(false);
            lock (_gate)
            {
                _client = null;
            }

            await client.DisposeAsync().ConfigureAwait(false);
            if (stopping.IsCancellationRequested)
            {
                break;
            }

            lostAt = DateTime.UtcNow;
            var broadcasts = Pending.DrainBroadcastsAsLost();
            _log.Event(LogLevel.Warn, "hub_lost", ("name", Name), ("pending_asks", Pending.Count), ("broadcast_targets_lost", broadcasts.Count), ("reason", client.CloseReason?.Message));
            foreach (var err in broadcasts)
            {
                _pushed(err);
            }
        }

        lock (_gate)
        {
            _attempt.TrySetResult(false);
        }
    }

    private void GiveUp()
    {
        var lost = Pending.DrainAsLost();
        _log.Event(LogLevel.Warn, "hub_gave_up", ("pending_asks", lost.Count), ("after_s", GiveUpAfter.TotalSeconds));
        foreach (var err in lost)
        {
            _pushed(err);
        }
    }

    private void ExpireAsks()
    {
        bool connected;
        lock (_gate)
        {
            connected = _client is { IsConnected: true };
        }

        foreach (var err in Pending.Expire(connected ? ConnectedGrace : TimeSpan.Zero))
        {
            _log.Event(LogLevel.Info, "ask_expired_locally", ("ask_id", err.AskId), ("connected", connected));
            _pushed(err);
        }
    }

    private async Task PauseAsync(TimeSpan delay, CancellationToken stopping)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            if (_wakeRequested)
            {
                _wakeRequested = false;
                return;
            }

            wake = _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        await Task.WhenAny(Task.Delay(delay, stopping), wake.Task).ConfigureAwait(false);
        lock (_gate)
        {
            _wakeRequested = false;
        }
    }

    private static TaskCompletionSource<bool> NewAttempt() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_expiry is not null)
        {
            await _expiry.DisposeAsync().ConfigureAwait(false);
        }

        HubClient? client;
        lock (_gate)
        {
            client = _client;
        }

        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        // The loop notices at once; do not let a stuck spawn wait hold up the exit.
        await Task.WhenAny(_loop, Task.Delay(200)).ConfigureAwait(false);
    }
}
