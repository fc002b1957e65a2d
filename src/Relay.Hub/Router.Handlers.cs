using System.Text;
using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>One handler per client message type. All run under the router lock.</summary>
internal sealed partial class Router
{
    private const int MaxCwdLength = 4096;
    private const int MaxBranchLength = 256;
    private const int MaxKindLength = 32;

    private void OnRegister(IPeer connection, RegisterMessage message)
    {
        if (connection.Name is { } current)
        {
            SendErr(connection, ErrorCodes.AlreadyRegistered, $"this connection is already registered as {current}", message.ReqId);
            return;
        }

        if (connection.IsObserver)
        {
            SendErr(connection, ErrorCodes.AlreadyRegistered, "this connection is an observer; open another connection to register", message.ReqId);
            return;
        }

        if (message.ProtocolVersion != ProtocolVersion.Current)
        {
            SendErr(connection, ErrorCodes.ProtocolMismatch, MismatchText(message.ProtocolVersion), message.ReqId);
            return;
        }

        if (!PeerNames.IsValid(message.Name))
        {
            BadMsg(connection, message.ReqId, "invalid name: use 1-64 characters of A-Z a-z 0-9 . _ -");
            return;
        }

        if (message.Cwd is { Length: > MaxCwdLength } || message.GitBranch is { Length: > MaxBranchLength })
        {
            BadMsg(connection, message.ReqId, "cwd or git_branch too long");
            return;
        }

        if (message.Kind is { } kind && (kind.Length > MaxKindLength || !PeerNames.IsValid(kind)))
        {
            BadMsg(connection, message.ReqId, "invalid kind");
            return;
        }

        if (message.Delivery is { } delivery && !DeliveryPaths.IsValid(delivery))
        {
            BadMsg(connection, message.ReqId, "invalid delivery: use inbox, channel, pull or socket");
            return;
        }

        if (message.SessionId is { Length: > Limits.MaxIdLength })
        {
            BadMsg(connection, message.ReqId, $"session_id longer than {Limits.MaxIdLength} characters");
            return;
        }

        YieldNativeTo(message.ClaudePid);
        if (!_registry.TryAdd(message.Name, connection))
        {
            SendErr(connection, ErrorCodes.NameTaken, $"the name {message.Name} is taken", message.ReqId);
            return;
        }

        connection.Cwd = message.Cwd;
        connection.GitBranch = message.GitBranch;
        connection.Pid = message.Pid;
        connection.Kind = message.Kind;
        connection.Delivery = message.Delivery ?? DeliveryPaths.Socket;
        connection.ClaudePid = message.ClaudePid;
        connection.SessionId = message.SessionId;
        connection.LastSeen = _time.GetUtcNow();
        Send(connection, new AckMessage { ReqId = message.ReqId, Name = message.Name, ProtocolVersion = ProtocolVersion.Current, HubPid = Environment.ProcessId });
        AdoptNativeAsks(message.ClaudePid, connection);
        WelcomeBack(connection);
        _log.Event(LogLevel.Info, HubLogEvents.PeerRegister, ("name", message.Name), ("kind", message.Kind), ("delivery", connection.Delivery), ("pid", message.Pid), ("cwd", message.Cwd), ("git_branch", message.GitBranch));
        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.PeerRegister, At = connection.LastSeen, Name = message.Name, Kind = message.Kind, Delivery = connection.Delivery });
        }

        if (LocalPeerCount == 1)
        {
            DisarmIdle();
        }

        LocalPeersChanged?.Invoke();
    }

    private void OnWatch(IPeer connection, WatchMessage message)
    {
        if (connection.Name is not null || connection.IsObserver)
        {
            SendErr(connection, ErrorCodes.AlreadyRegistered, connection.IsObserver ? "already watching" : "a registered peer cannot become an observer", message.ReqId);
            return;
        }

        if (message.ProtocolVersion != ProtocolVersion.Current)
        {
            SendErr(connection, ErrorCodes.ProtocolMismatch, MismatchText(message.ProtocolVersion), message.ReqId);
            return;
        }

        connection.IsObserver = true;
        _observers.Add(connection);
        Send(connection, new AckMessage { ReqId = message.ReqId, ProtocolVersion = ProtocolVersion.Current, HubPid = Environment.ProcessId });
        if (_debug)
        {
            _log.Event(LogLevel.Debug, HubLogEvents.ObserverStart, ("observer", connection.ToString()));
        }
    }

    private void OnHubStatus(IPeer connection, HubStatusMessage message) =>
        Send(connection, new HubStatusReplyMessage
        {
            ReqId = message.ReqId,
            Pid = Environment.ProcessId,
            ProtocolVersion = ProtocolVersion.Current,
            Socket = _options.SocketPath,
            StartedAt = StartedAt,
            UptimeMs = (long)Uptime.TotalMilliseconds,
            PeerCount = _registry.Count,
            NativePeers = _natives.Count,
            PendingAsks = _pending.Count,
            AwayPeers = _awayPeers?.Count ?? 0,
            HeldAsks = _awayPeers?.TotalAsks ?? 0,
            Observers = _observers.Count,
            Version = RelayVersion.Text,
            Nats = NatsStatusNow(),
        });

    private void OnRename(IPeer connection, RenameMessage message)
    {
        if (!PeerNames.IsValid(message.Name))
        {
            BadMsg(connection, message.ReqId, "invalid name: use 1-64 characters of A-Z a-z 0-9 . _ -");
            return;
        }

        var oldName = connection.Name!;
        if (!_registry.TryRename(connection, message.Name))
        {
            SendErr(connection, ErrorCodes.NameTaken, $"the name {message.Name} is taken", message.ReqId);
            return;
        }

        Send(connection, new AckMessage { ReqId = message.ReqId, Name = message.Name });
        if (oldName == message.Name)
        {
            return;
        }

        _log.Event(LogLevel.Info, HubLogEvents.PeerRename, ("name", message.Name), ("old_name", oldName));
        LocalPeersChanged?.Invoke();
        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.PeerRename, At = _time.GetUtcNow(), Name = message.Name, OldName = oldName, Kind = connection.Kind });
        }
    }

    /// <summary>A peer of this hub as <c>list_peers</c> shows it.</summary>
    private PeerInfo LocalPeerInfo(IPeer peer) => new()
    {
        Name = peer.Name!,
        Cwd = peer.Cwd,
        GitBranch = peer.GitBranch,
        LastSeen = peer.LastSeen,
        ConnectedAt = peer.ConnectedAt,
        Kind = peer.Kind,
        Pid = peer.Pid,
        Delivery = peer.Delivery,
        ClaudePid = peer.ClaudePid,
        Host = LocalHost,
    };

    private void OnListPeers(IPeer connection, ListPeersMessage message)
    {
        var peers = new List<PeerInfo>(_registry.Count);
        foreach (var peer in _registry.Peers)
        {
            peers.Add(LocalPeerInfo(peer));
        }

        foreach (var remote in _remotes.Values)
        {
            peers.Add(new PeerInfo
            {
                Name = remote.PeerName,
                Host = remote.Host,
                Cwd = remote.Cwd,
                GitBranch = remote.GitBranch,
                LastSeen = remote.LastSeen,
                ConnectedAt = remote.ConnectedAt,
                Kind = remote.Kind,
                Pid = remote.Pid,
                Delivery = remote.Delivery,
            });
        }

        AddAwayPeers(peers);
        peers.Sort(static (a, b) => a.Name == b.Name ? string.CompareOrdinal(a.Host, b.Host) : string.CompareOrdinal(a.Name, b.Name));
        Send(connection, new PeersMessage { ReqId = message.ReqId, Peers = peers });
    }

    private void OnAsk(IPeer connection, AskMessage message)
    {
        if (!CheckIds(connection, message.ReqId, message.AskId, message.ThreadId)
            || !CheckText(connection, message.ReqId, message.Question, "question")
            || !CheckTimeout(connection, message.ReqId, message.TimeoutMs, out var timeout)
            || RateLimited(connection, message.ReqId, message.AskId, 1))
        {
            return;
        }

        if (ResolveTarget(connection, message.To, out var candidates) is not { } target)
        {
            if (candidates is null && TryAskAway(connection, message, timeout))
            {
                return;
            }

            var valid = Nats.PeerAddress.IsValid(message.To);
            Send(connection, new ErrMessage
            {
                ReqId = message.ReqId,
                Code = candidates is null ? ErrorCodes.PeerNotFound : ErrorCodes.PeerAmbiguous,
                Message = candidates is not null
                    ? $"more than one peer is named {message.To}: {string.Join(", ", candidates)}; ask one as name@host"
                    : valid ? $"no peer named {message.To}" : "no peer by that name",
                AskId = message.AskId,
                To = valid ? message.To : null,
            });
            return;
        }

        if (message.Resubmit == true && target is Native.NativeSessionPeer)
        {
            // The hub that wrote the ask into that session's inbox is gone, and with it the answer address the
            // session's SendMessage answer goes to; writing it again would show the model the question twice.
            Send(connection, new ErrMessage
            {
                ReqId = message.ReqId,
                Code = ErrorCodes.PeerGone,
                Message = $"the hub restarted after writing this ask into {target.Name}'s inbox; its answer can no longer reach you (ask again)",
                AskId = message.AskId,
                ThreadId = message.ThreadId,
                To = target.Name,
            });
            return;
        }

        var ask = new PendingAsk
        {
            AskId = message.AskId,
            Asker = connection,
            Target = target,
            ThreadId = message.ThreadId ?? RandomIds.New("t"),
            StartedAt = _time.GetTimestamp(),
            Timeout = timeout,
            Question = KeepsQuestion(target) ? message.Question : null,
        };
        if (!_pending.TryAdd(ask))
        {
            BadMsg(connection, message.ReqId, "an ask with this ask_id is already pending for that peer");
            return;
        }

        ask.Timer = _time.CreateTimer(_onAskTimeout, ask, timeout, Timeout.InfiniteTimeSpan);
        Send(connection, new AckMessage { ReqId = message.ReqId, AskId = ask.AskId, ThreadId = ask.ThreadId, Delivery = target.Delivery });
        Send(target, new IncomingAskMessage { AskId = ask.AskId, From = connection.Name!, Question = message.Question, ThreadId = ask.ThreadId, TimeoutMs = (long)timeout.TotalMilliseconds });
        if (_debug)
        {
            _log.Event(LogLevel.Debug, HubLogEvents.AskDelivered, ("ask_id", ask.AskId), ("from", connection.Name), ("to", target.Name), ("thread_id", ask.ThreadId), ("bytes", message.Question.Length));
        }

        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.Ask, At = _time.GetUtcNow(), From = connection.Name, To = target.Name, AskId = ask.AskId, ThreadId = ask.ThreadId, Bytes = Encoding.UTF8.GetByteCount(message.Question), Delivery = target.Delivery });
        }
    }

    private void OnReply(IPeer connection, ReplyMessage message)
    {
        if (!CheckIds(connection, message.ReqId, message.AskId, null)
            || !CheckText(connection, message.ReqId, message.Text, "text"))
        {
            return;
        }

        // Normally the replier holds the ask; a one-shot `relay reply` may answer for the peer that holds it.
        var holder = connection;
        if (message.OnBehalfOf is { } onBehalfOf && !_registry.TryGet(onBehalfOf, out holder))
        {
            holder = null;
        }

        if (holder is not null && holder.AsksTo.TryGetValue(message.AskId, out var held) && RefusedForAwayAsker(connection, message, held))
        {
            return;
        }

        var ask = holder is null ? null : _pending.Take(holder, message.AskId);
        if (ask is null)
        {
            UnknownAsk(connection, message.ReqId, message.AskId);
            return;
        }

        var latencyMs = _time.GetElapsedTime(ask.StartedAt).TotalMilliseconds;
        var from = ask.Target.Name!;
        Send(connection, new AckMessage { ReqId = message.ReqId, AskId = ask.AskId, ThreadId = ask.ThreadId });
        Send(ask.Asker, new IncomingReplyMessage { AskId = ask.AskId, From = from, Text = message.Text, ThreadId = ask.ThreadId, BroadcastId = ask.BroadcastId });
        if (_debug)
        {
            _log.Event(LogLevel.Debug, HubLogEvents.ReplyDelivered, ("ask_id", ask.AskId), ("from", from), ("to", ask.Asker.Name), ("latency_ms", Math.Round(latencyMs, 3)));
        }

        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.Reply, At = _time.GetUtcNow(), From = from, To = ask.Asker.Name, AskId = ask.AskId, BroadcastId = ask.BroadcastId, ThreadId = ask.ThreadId, LatencyMs = Math.Round(latencyMs, 3), Bytes = Encoding.UTF8.GetByteCount(message.Text) });
        }
    }

    private void OnBroadcast(IPeer connection, BroadcastMessage message)
    {
        if (!CheckIds(connection, message.ReqId, null, message.ThreadId)
            || !CheckText(connection, message.ReqId, message.Question, "question")
            || !CheckTimeout(connection, message.ReqId, message.TimeoutMs, out var timeout)
            || RateLimited(connection, message.ReqId, null, _registry.Count - 1 + _remotes.Count))
        {
            return;
        }

        var broadcastId = RandomIds.New("b");
        var threadId = message.ThreadId ?? RandomIds.New("t");
        var targets = new List<IPeer>(_registry.Count);
        foreach (var peer in _registry.Peers)
        {
            if (!ReferenceEquals(peer, connection))
            {
                targets.Add(peer);
            }
        }

        targets.AddRange(_remotes.Values);

        targets.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var names = new List<string>(targets.Count);
        foreach (var target in targets)
        {
            names.Add(target.Name!);
        }

        Send(connection, new BroadcastAckMessage { ReqId = message.ReqId, BroadcastId = broadcastId, PeerCount = targets.Count, Targets = names });
        var now = _time.GetTimestamp();
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            var ask = new PendingAsk
            {
                AskId = $"{broadcastId}.{i + 1}",
                Asker = connection,
                Target = target,
                ThreadId = threadId,
                BroadcastId = broadcastId,
                StartedAt = now,
                Timeout = timeout,
                Question = KeepsQuestion(target) ? message.Question : null,
            };
            _pending.TryAdd(ask);
            ask.Timer = _time.CreateTimer(_onAskTimeout, ask, timeout, Timeout.InfiniteTimeSpan);
            Send(target, new IncomingAskMessage { AskId = ask.AskId, From = connection.Name!, Question = message.Question, ThreadId = threadId, BroadcastId = broadcastId, TimeoutMs = (long)timeout.TotalMilliseconds });
        }

        if (_debug)
        {
            _log.Event(LogLevel.Debug, HubLogEvents.BroadcastSent, ("broadcast_id", broadcastId), ("from", connection.Name), ("peer_count", targets.Count), ("thread_id", threadId));
        }

        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.Broadcast, At = _time.GetUtcNow(), From = connection.Name, BroadcastId = broadcastId, ThreadId = threadId, PeerCount = targets.Count, Bytes = Encoding.UTF8.GetByteCount(message.Question) });
        }
    }

    /// <summary>A reply or receipt names an ask that is not pending for the peer it speaks for.</summary>
    private void UnknownAsk(IPeer connection, string? reqId, string askId) => Send(connection, new ErrMessage
    {
        ReqId = reqId,
        Code = ErrorCodes.UnknownAsk,
        Message = "no pending ask with this ask_id for you (already answered, timed out, or never sent)",
        AskId = askId,
    });

    private bool CheckIds(IPeer connection, string? reqId, string? askId, string? threadId)
    {
        if (askId is not null && (askId.Length is 0 or > Limits.MaxIdLength))
        {
            BadMsg(connection, reqId, $"ask_id must be 1-{Limits.MaxIdLength} characters");
            return false;
        }

        if (threadId is not null && (threadId.Length is 0 or > Limits.MaxIdLength))
        {
            BadMsg(connection, reqId, $"thread_id must be 1-{Limits.MaxIdLength} characters");
            return false;
        }

        return true;
    }

    private bool CheckText(IPeer connection, string? reqId, string text, string field)
    {
        // Most texts are far below the limit even at 3 bytes per UTF-16 unit; count exactly only near it.
        if (text.Length * 3L <= Limits.MaxTextBytes
            || (text.Length <= Limits.MaxTextBytes && Encoding.UTF8.GetByteCount(text) <= Limits.MaxTextBytes))
        {
            return true;
        }

        BadMsg(connection, reqId, $"{field} longer than {Limits.MaxTextBytes} UTF-8 bytes");
        return false;
    }

    private bool CheckTimeout(IPeer connection, string? reqId, long? timeoutMs, out TimeSpan timeout)
    {
        timeout = _options.DefaultAskTimeout;
        if (timeoutMs is not { } ms)
        {
            return true;
        }

        if (ms <= 0)
        {
            BadMsg(connection, reqId, "timeout_ms must be positive");
            return false;
        }

        timeout = TimeSpan.FromMilliseconds(Math.Min(ms, (long)Limits.MaxAskTimeout.TotalMilliseconds));
        return true;
    }

    private static string MismatchText(int clientVersion) =>
        $"the hub speaks protocol {ProtocolVersion.Current}, this client {clientVersion}; restart the hub (relay hub restart) and retry";
}
