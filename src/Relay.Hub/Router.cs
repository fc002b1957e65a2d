using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>
/// The hub's state and routing: registry, pending asks, observers and the idle timer, all behind one lock. Each
/// line is parsed once on its connection's receive loop, handled under the lock, and every answer is serialized
/// once into the target peer's queue. Nothing here blocks on I/O: a peer over its backlog bound is dropped. Peers
/// are <see cref="IPeer"/>s, and every timer and clock reading goes through the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class Router : IDisposable
{
    private readonly Lock _gate = new();
    private readonly HubOptions _options;
    private readonly Registry _registry = new();
    private readonly PendingAsks _pending = new();
    private readonly List<IPeer> _observers = [];
    private readonly HashSet<IPeer> _connections = [];
    private readonly List<IPeer> _toDrop = [];
    private readonly ArrayBufferWriter<byte> _eventBuffer = new(1024);
    private readonly Utf8JsonWriter _eventJson;
    private readonly Logger _log = RelayLog.For("hub");
    private readonly bool _debug;
    private readonly TimeProvider _time;
    private readonly ITimer _idleTimer;
    private readonly TimerCallback _onAskTimeout;
    private readonly Action<string> _requestStop;
    private readonly long _startTimestamp;
    private bool _stopping;

    public Router(HubOptions options, Action<string> requestStop, TimeProvider? timeProvider = null)
    {
        _options = options;
        _requestStop = requestStop;
        _time = timeProvider ?? TimeProvider.System;
        _eventJson = new Utf8JsonWriter(_eventBuffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        _debug = _log.IsDebugEnabled;
        _onAskTimeout = OnAskTimeout;
        _idleTimer = _time.CreateTimer(OnIdle, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _startTimestamp = _time.GetTimestamp();
        StartedAt = _time.GetUtcNow();
    }

    public DateTimeOffset StartedAt { get; }

    public TimeSpan Uptime => _time.GetElapsedTime(_startTimestamp);

    /// <summary>Arms the idle timer for the start: a hub nobody registers with leaves too.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ArmIdle();
        }
    }

    public void OnConnected(IPeer connection)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                connection.Abort();
                return;
            }

            _connections.Add(connection);
        }
    }

    /// <summary>Handles one inbound line. Runs on the connection's receive loop; never throws.</summary>
    public void HandleLine(IPeer connection, in ReadOnlySequence<byte> line)
    {
        ClientMessage? message = null;
        string? problem = null;
        string? reqId = null;
        try
        {
            message = RelayJson.ParseClient(line);
        }
        catch (RelayJsonException ex)
        {
            problem = BadMessageText.Describe(line, ex);
            reqId = RelayJson.TryReadReqId(line);
        }

        lock (_gate)
        {
            try
            {
                if (connection.Departed || _stopping)
                {
                    return;
                }

                if (message is null)
                {
                    BadMsg(connection, reqId, problem!);
                }
                else
                {
                    Dispatch(connection, message);
                }
            }
#pragma warning disable CA1031 // A bug in one handler must not take the hub down; the caller gets "unexpected".
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _log.Event(LogLevel.Error, HubLogEvents.HubError, ex, ("peer", connection.ToString()), ("msg_type", message?.GetType().Name));
                SendErr(connection, ErrorCodes.Unexpected, "internal hub error", message?.ReqId);
            }
            finally
            {
                ProcessDrops();
            }
        }
    }

    /// <summary>The connection sent a line over the limit: say so, then it is closed.</summary>
    public void OnLineTooLong(IPeer connection)
    {
        lock (_gate)
        {
            if (_debug)
            {
                _log.Event(LogLevel.Debug, HubLogEvents.BadMsg, ("peer", connection.ToString()), ("reason", "line_too_long"));
            }

            SendErr(connection, ErrorCodes.BadMsg, $"line longer than {Limits.MaxLineBytes} bytes; closing the connection", null);
            connection.Complete();
            ProcessDrops();
        }
    }

    public void OnDisconnected(IPeer connection)
    {
        lock (_gate)
        {
            Depart(connection, "disconnected");
            ProcessDrops();
        }
    }

    /// <summary>Closes every connection (hub shutdown).</summary>
    public void CloseAll()
    {
        lock (_gate)
        {
            _stopping = true;
            _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            foreach (var connection in _connections)
            {
                connection.Complete();
                connection.Abort();
            }
        }
    }

    public void Dispose()
    {
        _idleTimer.Dispose();
        _awayPeers?.Dispose();
        _eventJson.Dispose();
    }

    private void Dispatch(IPeer connection, ClientMessage message)
    {
        if (message.ReqId is { Length: > Limits.MaxIdLength })
        {
            BadMsg(connection, null, $"req_id longer than {Limits.MaxIdLength} characters");
            return;
        }

        if (connection.Name is not null)
        {
            connection.LastSeen = _time.GetUtcNow();
        }

        switch (message)
        {
            case RegisterMessage register:
                OnRegister(connection, register);
                return;
            case WatchMessage watch:
                OnWatch(connection, watch);
                return;
            case HubStatusMessage status:
                OnHubStatus(connection, status);
                return;
            case ReceiptMessage { SessionId: not null } receipt when connection.Name is null && !connection.IsObserver:
                // A hook of a Claude Code session reports for that session's channel on a one-shot connection.
                OnReceipt(connection, receipt);
                return;
        }

        if (connection.Name is null)
        {
            SendErr(connection, ErrorCodes.NotRegistered, connection.IsObserver ? "an observer connection only receives events" : "send register first", message.ReqId);
            return;
        }

        switch (message)
        {
            case AskMessage ask:
                OnAsk(connection, ask);
                break;
            case ReplyMessage reply:
                OnReply(connection, reply);
                break;
            case ListPeersMessage listPeers:
                OnListPeers(connection, listPeers);
                break;
            case BroadcastMessage broadcast:
                OnBroadcast(connection, broadcast);
                break;
            case RenameMessage rename:
                OnRename(connection, rename);
                break;
            case ReceiptMessage receipt:
                OnReceipt(connection, receipt);
                break;
            default:
                BadMsg(connection, message.ReqId, "unsupported message type");
                break;
        }
    }

    private void Send(IPeer connection, ServerMessage message)
    {
        if (connection.Departed && KeptForAwayAsker(connection, message))
        {
            return;
        }

        if (connection.Send(message) == SendResult.Overflowed)
        {
            _toDrop.Add(connection);
        }
    }

    private void SendErr(IPeer connection, string code, string text, string? reqId) =>
        Send(connection, new ErrMessage { ReqId = reqId, Code = code, Message = text });

    private void BadMsg(IPeer connection, string? reqId, string text)
    {
        if (_debug)
        {
            _log.Event(LogLevel.Debug, HubLogEvents.BadMsg, ("peer", connection.ToString()), ("reason", text));
        }

        SendErr(connection, ErrorCodes.BadMsg, text, reqId);
    }

    /// <summary>Sends one event line to every observer, serialized once.</summary>
    private void Emit(HubEventMessage hubEvent)
    {
        _eventBuffer.ResetWrittenCount();
        _eventJson.Reset(_eventBuffer);
        JsonSerializer.Serialize(_eventJson, (ServerMessage)hubEvent, RelayJson.Context.ServerMessage);
        _eventJson.Flush();
        _eventBuffer.Write("\n"u8);
        var line = _eventBuffer.WrittenSpan;
        foreach (var observer in _observers)
        {
            if (observer.Send(line) == SendResult.Overflowed)
            {
                _toDrop.Add(observer);
            }
        }
    }

    private bool HasObservers => _observers.Count > 0;

    /// <summary>Drops connections whose outbox overflowed; dropping may overflow others in turn.</summary>
    private void ProcessDrops()
    {
        while (_toDrop.Count > 0)
        {
            var connection = _toDrop[^1];
            _toDrop.RemoveAt(_toDrop.Count - 1);
            if (connection.Departed)
            {
                continue;
            }

            _log.Event(LogLevel.Info, HubLogEvents.PeerDroppedSlow, ("peer", connection.ToString()), ("queued_bytes", connection.QueuedBytes));
            Depart(connection, "dropped_slow");
            connection.Abort();
        }
    }

    /// <summary>Takes a connection out of the hub: its askers get peer_gone, its own asks are dropped.</summary>
    private void Depart(IPeer connection, string reason)
    {
        if (connection.Departed)
        {
            return;
        }

        connection.Departed = true;
        connection.Complete();
        _connections.Remove(connection);
        if (connection.IsObserver)
        {
            _observers.Remove(connection);
            return;
        }

        if (connection.Name is not { } name)
        {
            return;
        }

        _registry.Remove(connection);
        var keptAway = TryKeepAway(connection, reason);
        if (!keptAway)
        {
            foreach (var ask in _pending.TakeAllTo(connection))
            {
                var gone = connection is Nats.RemotePeer ? $"{name} is gone ({reason})" : $"{name} disconnected before replying";
                EndAsk(ask, ErrorCodes.PeerGone, gone, HubLogEvents.AskPeerGone, HubEvents.PeerGone);
            }

            // Nobody is left to read the answers to this peer's own asks. (An away peer's own asks wait for its return.)
            foreach (var own in _pending.TakeAllFrom(connection))
            {
                _awayPeers?.Release(own);
            }
        }

        var now = _time.GetUtcNow();
        _log.Event(LogLevel.Info, HubLogEvents.PeerLeave, ("name", name), ("reason", reason), ("connected_ms", (long)(now - connection.ConnectedAt).TotalMilliseconds));
        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.PeerLeave, At = now, Name = name, Kind = connection.Kind });
        }

        if (connection is Nats.RemotePeer)
        {
            return;
        }

        LocalPeersChanged?.Invoke();
        if (connection is not Native.NativeSessionPeer && LocalPeerCount == 0)
        {
            ArmIdle();
        }
    }

    private void ArmIdle()
    {
        if (_options.IdleExit > TimeSpan.Zero && !_stopping)
        {
            _idleTimer.Change(_options.IdleExit, Timeout.InfiniteTimeSpan);
        }
    }

    private void DisarmIdle() => _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private void OnIdle(object? state)
    {
        lock (_gate)
        {
            if (LocalPeerCount > 0 || _stopping)
            {
                return;
            }
        }

        _log.Event(LogLevel.Info, HubLogEvents.HubIdle, ("idle_exit_ms", (long)_options.IdleExit.TotalMilliseconds));
        _requestStop("idle");
    }

    private void OnAskTimeout(object? state)
    {
        var ask = (PendingAsk)state!;
        lock (_gate)
        {
            try
            {
                if (_pending.Remove(ask))
                {
                    EndAsk(ask, ErrorCodes.Timeout, $"no reply from {ask.Target.Name} in time", HubLogEvents.AskTimeout, HubEvents.Timeout);
                }
            }
            finally
            {
                ProcessDrops();
            }
        }
    }

    /// <summary>
    /// Ends an ask already taken out of <see cref="_pending"/> without a reply: its asker gets an <c>err</c> with
    /// <paramref name="code"/>, the log and observers hear of it.
    /// </summary>
    private void EndAsk(PendingAsk ask, string code, string text, string logEvent, string hubEvent)
    {
        _awayPeers?.Release(ask);
        (ask.Target as Native.NativeSessionPeer)?.Forget(ask.AskId);
        var target = ask.Target.Name;
        Send(ask.Asker, new ErrMessage
        {
            Code = code,
            Message = text,
            AskId = ask.AskId,
            To = target,
            BroadcastId = ask.BroadcastId,
            ThreadId = ask.ThreadId,
        });
        if (_debug)
        {
            _log.Event(LogLevel.Debug, logEvent, ("ask_id", ask.AskId), ("from", ask.Asker.Name), ("to", target));
        }

        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = hubEvent, At = _time.GetUtcNow(), From = ask.Asker.Name, To = target, AskId = ask.AskId, BroadcastId = ask.BroadcastId, ThreadId = ask.ThreadId });
        }
    }
}
