using System.Net.Sockets;
using NLog;
using Relay.Protocol;
using Relay.Protocol.Client;
using Relay.Protocol.Messages;

namespace Relay.Channels;

/// <summary>
/// The channel's one registered connection to the hub. Connects (spawning a hub when none answers), registers
/// (suffixing -2, -3, … while the name is taken), and when the hub goes away reconnects with backoff — first retry
/// at once, then 100 ms, 500 ms, 1.5 s, 5 s, 10 s — re-registering under the same name. Asks still pending when the
/// hub dies end with a <c>hub_unreachable</c> push. Tool calls never wait long for a hub: up to
/// <see cref="InitialWait"/> after startup for the first registration, and at most <see cref="ReconnectWait"/> while
/// reconnecting (a tool call also cuts a backoff pause short).
/// </summary>
internal sealed class HubLink : IAsyncDisposable
{
    private static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromMilliseconds(100),
        TimeSpan.FromMilliseconds(500),
        TimeSpan.FromMilliseconds(1500),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(10),
    ];

    /// <summary>How long a tool waits for the very first connection (which may have to spawn the hub).</summary>
    private static readonly TimeSpan InitialWait = TimeSpan.FromSeconds(10);

    /// <summary>How long a tool waits for a reconnect attempt before answering <c>hub_unreachable</c>.</summary>
    private static readonly TimeSpan ReconnectWait = TimeSpan.FromSeconds(1);

    private readonly DataDir _dataDir;
    private readonly PeerIdentity _identity;
    private readonly Action<ServerMessage> _pushed;
    private readonly Action<Delivery.BroadcastSummary> _summarized;
    private readonly Logger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private HubClient? _client;
    private TaskCompletionSource<bool> _attempt = NewAttempt();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _wakeRequested;
    private bool _everConnected;
    private DateTime _startedAt = DateTime.UtcNow;
    private RegisterRefusedException? _refusal;
    private string _baseName;
    private string? _name;
    private Task _loop = Task.CompletedTask;

    public HubLink(DataDir dataDir, PeerIdentity identity, Action<ServerMessage> pushed, Action<Delivery.BroadcastSummary> summarized, Logger log)
    {
        _dataDir = dataDir;
        _identity = identity;
        _pushed = pushed;
        _summarized = summarized;
        _log = log;
        _baseName = identity.BaseName;
    }

    /// <summary>Asks and broadcasts awaiting their end.</summary>
    public PendingAsks Pending { get; } = new();

    /// <summary>The registered name, or the name the channel will try first while not registered.</summary>
    public string Name
    {
        get
        {
            lock (_gate)
            {
                return _name ?? _baseName;
            }
        }
    }

    public void Start()
    {
        _startedAt = DateTime.UtcNow;
        _loop = RunAsync();
    }

    /// <summary>
    /// Sends a request on the registered connection and returns the hub's answer (an err answer is returned, not
    /// thrown). Throws <see cref="HubUnreachableException"/> when there is no hub to talk to.
    /// </summary>
    public async Task<ServerMessage> RequestAsync(ClientMessage message, CancellationToken cancellationToken)
    {
        var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        return await client.RequestAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renames this peer; on success the new name is also the one re-registered after a reconnect.</summary>
    public async Task<ServerMessage> RenameAsync(string newName, CancellationToken cancellationToken)
    {
        var answer = await RequestAsync(new RenameMessage { Name = newName }, cancellationToken).ConfigureAwait(false);
        if (answer is AckMessage ack)
        {
            var name = ack.Name ?? newName;
            string? old;
            lock (_gate)
            {
                old = _name;
                _name = name;
                _baseName = name;
            }

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
    public void PreferName(string name)
    {
        lock (_gate)
        {
            _baseName = name;
            _name = name;
        }
    }

    private async Task<HubClient> GetClientAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReconnectWait;
        while (true)
        {
            Task<bool> attempt;
            lock (_gate)
            {
                if (_client is { IsConnected: true } connected)
                {
                    return connected;
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
        while (!stopping.IsCancellationRequested)
        {
            TaskCompletionSource<bool> attempt;
            lock (_gate)
            {
                attempt = _attempt;
            }

            if (failures > 0)
            {
                await PauseAsync(Backoff[Math.Min(failures - 1, Backoff.Length - 1)], stopping).ConfigureAwait(false);
                if (stopping.IsCancellationRequested)
                {
                    break;
                }
            }

            var client = await TryConnectAsync(stopping).ConfigureAwait(false);
            lock (_gate)
            {
                _client = client;
                _everConnected |= client is not null;
                _attempt = NewAttempt();
            }

            attempt.TrySetResult(client is not null);
            if (client is null)
            {
                failures++;
                continue;
            }

            failures = 0;
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

            var lost = Pending.DrainAsLost();
            _log.Event(LogLevel.Warn, "hub_lost", ("name", Name), ("pending_asks", lost.Count));
            foreach (var err in lost)
            {
                _pushed(err);
            }
        }

        lock (_gate)
        {
            _attempt.TrySetResult(false);
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

    private async Task<HubClient?> TryConnectAsync(CancellationToken stopping)
    {
        HubClient? client = null;
        try
        {
            client = await HubConnector.ConnectAsync(_dataDir, spawn: true, OnPushed, stopping).ConfigureAwait(false);
            await RegisterAsync(client, stopping).ConfigureAwait(false);
            lock (_gate)
            {
                _refusal = null;
            }

            return client;
        }
        catch (Exception ex) when (ex is HubUnreachableException or IOException or SocketException or TimeoutException or RegisterRefusedException
            || (ex is OperationCanceledException && stopping.IsCancellationRequested))
        {
            if (!stopping.IsCancellationRequested)
            {
                _log.Event(LogLevel.Warn, "hub_connect_failed", ("error", ex.Message));
            }

            lock (_gate)
            {
                _refusal = ex as RegisterRefusedException;
            }

            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }
    }

    private async Task RegisterAsync(HubClient client, CancellationToken stopping)
    {
        string first;
        string baseName;
        lock (_gate)
        {
            baseName = _baseName;
            first = _name ?? _baseName;
        }

        // First the current name (a reconnect keeps it), then base, base-2, base-3, … with no upper bound.
        var candidate = first;
        for (var n = 1; ; n++)
        {
            if (n > 1)
            {
                candidate = PeerNames.WithSuffix(baseName, n - 1);
                if (candidate == first)
                {
                    continue;
                }
            }

            var register = new RegisterMessage
            {
                Name = candidate,
                ProtocolVersion = ProtocolVersion.Current,
                Cwd = _identity.Cwd,
                GitBranch = Protocol.GitBranch.Read(_identity.Cwd),
                Pid = Environment.ProcessId,
                Kind = PeerKinds.Claude,
                Delivery = _identity.Delivery,
                ClaudePid = _identity.ClaudePid,
                SessionId = _identity.SessionId,
            };
            var answer = await client.RequestAsync(register, stopping).ConfigureAwait(false);
            switch (answer)
            {
                case AckMessage ack:
                    var name = ack.Name ?? candidate;
                    lock (_gate)
                    {
                        _name = name;
                    }

                    _log.Event(LogLevel.Info, "peer_register", ("name", name), ("hub_pid", ack.HubPid), ("tries", n));
                    return;
                case ErrMessage { Code: ErrorCodes.NameTaken }:
                    continue;
                case ErrMessage err:
                    throw new RegisterRefusedException(err.Code, err.Message);
                default:
                    throw new RegisterRefusedException(ErrorCodes.Unexpected, "the hub answered register with " + answer.GetType().Name);
            }
        }
    }

    private void OnPushed(ServerMessage message)
    {
        var summary = Pending.Observe(message);
        _pushed(message);
        if (summary is not null)
        {
            _summarized(summary);
        }
    }

    private static TaskCompletionSource<bool> NewAttempt() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
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
