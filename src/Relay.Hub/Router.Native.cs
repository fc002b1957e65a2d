using NLog;
using Relay.Hub.Native;
using Relay.Inbox;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>
/// Native Claude Code sessions as peers (<see cref="NativeSessions"/> finds them): they join and leave with their
/// sessions, give way to the session's own relay channel when it registers, and do not keep the hub alive.
/// </summary>
internal sealed partial class Router
{
    private readonly Dictionary<int, NativeSessionPeer> _natives = [];

    /// <summary>Native peers that gave way to a channel still registering (by session pid), until it has registered.</summary>
    private readonly Dictionary<int, NativeSessionPeer> _yielded = [];

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Registered peers that are not native sessions: they are what keeps the hub from idling out.</summary>
    private int LocalPeerCount => _registry.Count - _natives.Count;

    /// <summary>
    /// Handles a message a peer produced without a socket line (a native session's receipt or answer). A native peer
    /// that gave way to its session's channel speaks through that channel: the asks it had moved there.
    /// </summary>
    public void HandleMessage(IPeer peer, ClientMessage message)
    {
        lock (_gate)
        {
            try
            {
                if (_stopping)
                {
                    return;
                }

                if (peer is NativeSessionPeer { Departed: true, Successor: { Departed: false, Name: { } successor } })
                {
                    // The channel holds the asks now: the answer is looked up there, and what the router says back
                    // (an ack, or unknown_ask for an answer that came too late) goes to the retired peer, which
                    // ignores it, so the channel never sees an answer to something it did not send.
                    AnswerFor(successor, peer, message);
                    return;
                }

                if (peer.Departed)
                {
                    return;
                }

                Dispatch(peer, message);
            }
#pragma warning disable CA1031 // A bug in one handler must not take the hub down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _log.Event(LogLevel.Error, HubLogEvents.HubError, ex, ("peer", peer.ToString()), ("msg_type", message.GetType().Name));
            }
            finally
            {
                ProcessDrops();
            }
        }
    }

    private void AnswerFor(string holder, IPeer retired, ClientMessage message)
    {
        switch (message)
        {
            case ReplyMessage reply:
                reply.OnBehalfOf = holder;
                OnReply(retired, reply);
                break;
            case ReceiptMessage receipt:
                receipt.OnBehalfOf = holder;
                OnReceipt(retired, receipt);
                break;
        }
    }

    /// <summary>
    /// Makes the native peers match <paramref name="live"/>: sessions served by a registered relay channel are left
    /// out, ended sessions leave (askers get peer_gone), new ones join under the session's name (a user-given one,
    /// else the slug of its folder; -2, -3, … on a clash).
    /// </summary>
    public void SyncNativeSessions(IReadOnlyList<ClaudeSessionRecord> live, Func<ClaudeSessionRecord, NativeSessionPeer> create)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            var served = new HashSet<int>();
            foreach (var peer in _registry.Peers)
            {
                if (peer is not NativeSessionPeer && peer.ClaudePid is { } pid)
                {
                    served.Add(pid);
                }
            }

            var wanted = live.Where(s => !served.Contains(s.Pid)).ToDictionary(s => s.Pid);
            foreach (var (pid, native) in _natives.ToList())
            {
                if (!wanted.TryGetValue(pid, out var record) || record.MessagingSocketPath != native.Session.MessagingSocketPath)
                {
                    RemoveNative(native, "session_ended");
                }
            }

            foreach (var (pid, record) in wanted)
            {
                if (!_natives.ContainsKey(pid))
                {
                    AddNative(create(record));
                }
            }

            ProcessDrops();
        }
    }

    private void AddNative(NativeSessionPeer peer)
    {
        var baseName = NativeName(peer.Session);
        for (var n = 1; ; n++)
        {
            if (_registry.TryAdd(PeerNames.WithSuffix(baseName, n), peer))
            {
                break;
            }
        }

        _natives[peer.Session.Pid] = peer;
        LocalPeersChanged?.Invoke();
        _log.Event(LogLevel.Info, HubLogEvents.PeerRegister, ("name", peer.Name), ("kind", peer.Kind), ("delivery", peer.Delivery), ("pid", peer.Pid), ("cwd", peer.Cwd));
        if (HasObservers)
        {
            Emit(new HubEventMessage { Event = HubEvents.PeerRegister, At = _time.GetUtcNow(), Name = peer.Name, Kind = peer.Kind, Delivery = peer.Delivery });
        }
    }

    private void RemoveNative(NativeSessionPeer peer, string reason)
    {
        _natives.Remove(peer.Session.Pid);
        Depart(peer, reason);
        peer.Abort();
    }

    /// <summary>
    /// A channel registers for its session: the session's native peer (if any) gives way first, name included; once
    /// the channel is registered its pending asks move there (<see cref="AdoptNativeAsks"/>).
    /// </summary>
    private void YieldNativeTo(int? claudePid)
    {
        if (claudePid is not { } pid || !_natives.Remove(pid, out var native))
        {
            return;
        }

        // Its asks are already in the session's inbox: they stay pending (moved to the channel below), and the answer
        // addresses stay open until each ask ends, so a SendMessage answer still arrives.
        var asks = native.AsksTo.Values.ToList();
        native.AsksTo.Clear();
        Depart(native, "channel_joined");
        foreach (var ask in asks)
        {
            native.AsksTo[ask.AskId] = ask;
        }

        native.Retire();
        _yielded[pid] = native;
    }

    /// <summary>The session's channel registered: the asks its native peer had move to it.</summary>
    private void AdoptNativeAsks(int? claudePid, IPeer channel)
    {
        if (claudePid is not { } pid || !_yielded.Remove(pid, out var native))
        {
            return;
        }

        native.Successor = channel;
        foreach (var ask in PendingAsks.MoveAll(native, channel))
        {
            // Still held by the native peer: Remove clears it there, at its asker and its timer.
            _pending.Remove(ask);
            EndAsk(ask, ErrorCodes.PeerGone, $"{ask.Target.Name} left before replying", HubLogEvents.AskPeerGone, HubEvents.PeerGone);
        }
    }

    private static string NativeName(ClaudeSessionRecord session)
    {
        if (session.Name is { Length: > 0 } name && session.NameSource != "derived")
        {
            return PeerNames.Slugify(name);
        }

        if (session.Cwd is { Length: > 0 } cwd)
        {
            return PeerNames.Slugify(Path.GetFileName(Path.TrimEndingDirectorySeparator(cwd)));
        }

        return "claude-" + session.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
