using NLog;
using Relay.Hub.Nats;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>
/// Peers of other hosts (through <see cref="NatsBridge"/>): <see cref="RemotePeer"/>s from the space's presence
/// bucket, addressed <c>name@host</c> (or by a plain name when no other peer has it), and <see cref="RemoteAsker"/>s
/// standing in for askers of other hosts. Remote peers are not in the <see cref="Registry"/> (local names stay first
/// come, first served) and do not keep the hub alive. All under the router lock.
/// </summary>
internal sealed partial class Router
{
    private readonly Dictionary<string, RemotePeer> _remotes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RemoteAsker> _proxies = new(StringComparer.Ordinal);

    /// <summary>This hub's host name in its NATS space, or null when it is not in one.</summary>
    private string? LocalHost => _options.Nats?.Host;

    /// <summary>Called (under the router lock; must not block) when the set of local peers or their fields change.</summary>
    public Action? LocalPeersChanged { get; set; }

    /// <summary>The NATS bridge's state for <c>hub_status</c> (called under the router lock; must not block).</summary>
    public Func<NatsStatusInfo>? NatsStatus { get; set; }

    private NatsStatusInfo? NatsStatusNow()
    {
        if (NatsStatus?.Invoke() is not { } status)
        {
            return null;
        }

        status.RemotePeers = _remotes.Count;
        return status;
    }

    /// <summary>Snapshot of the local peers for the presence bucket.</summary>
    public List<PresenceRecord> LocalPresence(string host)
    {
        lock (_gate)
        {
            var records = new List<PresenceRecord>(_registry.Count);
            foreach (var peer in _registry.Peers)
            {
                records.Add(new PresenceRecord
                {
                    Name = peer.Name!,
                    Host = host,
                    Cwd = peer.Cwd,
                    GitBranch = peer.GitBranch,
                    Kind = peer.Kind,
                    Delivery = peer.Delivery,
                    Pid = peer.Pid,
                    ConnectedAt = peer.ConnectedAt,
                });
            }

            return records;
        }
    }

    /// <summary>A presence record of another host arrived: the peer joins, or its fields are refreshed.</summary>
    public void UpsertRemote(PresenceRecord record, IBridgeSender sender)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            var address = PeerAddress.Format(record.Name, record.Host);
            var now = _time.GetUtcNow();
            if (_remotes.TryGetValue(address, out var known))
            {
                known.Update(record, now);
                return;
            }

            var peer = new RemotePeer(sender, record, now);
            _remotes[address] = peer;
            _log.Event(LogLevel.Info, HubLogEvents.PeerRegister, ("name", address), ("kind", peer.Kind), ("host", record.Host), ("delivery", peer.Delivery));
            if (HasObservers)
            {
                Emit(new HubEventMessage { Event = HubEvents.PeerRegister, At = now, Name = address, Kind = peer.Kind, Delivery = peer.Delivery });
            }

            ProcessDrops();
        }
    }

    /// <summary>A remote peer's presence was deleted or expired: it leaves, and its askers get <c>peer_gone</c>.</summary>
    public void RemoveRemote(string address, string reason)
    {
        lock (_gate)
        {
            if (_remotes.Remove(address, out var peer))
            {
                Depart(peer, reason);
                ProcessDrops();
            }
        }
    }

    /// <summary>Addresses of the remote peers this hub knows (for the presence sweep).</summary>
    public List<string> RemoteAddresses()
    {
        lock (_gate)
        {
            return [.. _remotes.Keys];
        }
    }

    /// <summary>An ask from another host for a local peer: a local ask from the asker's stand-in.</summary>
    public void DeliverRemoteAsk(BridgeEnvelope envelope, long timeoutMs, IBridgeSender sender)
    {
        lock (_gate)
        {
            try
            {
                if (_stopping || envelope.From is not { } from || envelope.To is not { } to || envelope.Question is not { } question)
                {
                    return;
                }

                var key = PeerAddress.Format(from, envelope.FromHost);
                if (!_proxies.TryGetValue(key, out var proxy))
                {
                    proxy = new RemoteAsker(sender, envelope.FromHost, from, _time.GetUtcNow());
                    _proxies[key] = proxy;
                }

                if (!proxy.Open(envelope.AskId, envelope.Target))
                {
                    return;
                }

                // req_id = ask_id: a refusal of the ask itself comes back to the stand-in naming the ask.
                Dispatch(proxy, new AskMessage { ReqId = envelope.AskId, To = to, AskId = envelope.AskId, ThreadId = envelope.ThreadId, Question = question, TimeoutMs = timeoutMs });
            }
#pragma warning disable CA1031 // A bug in one handler must not take the hub down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _log.Event(LogLevel.Error, HubLogEvents.HubError, ex, ("peer", envelope.From), ("msg_type", "remote_ask"));
            }
            finally
            {
                ProcessDrops();
            }
        }
    }

    /// <summary>A reply or receipt from another host for an ask to one of its peers: handled as that peer's own.</summary>
    public void RemoteAnswer(string targetAddress, ClientMessage message)
    {
        IPeer? target;
        lock (_gate)
        {
            target = _remotes.GetValueOrDefault(targetAddress);
        }

        if (target is not null)
        {
            HandleMessage(target, message);
        }
    }

    /// <summary>An ask to a remote peer ended on its host without a reply (timeout, peer_gone, refused, …).</summary>
    public void EndRemoteAsk(string targetAddress, string askId, string code, string? text)
    {
        lock (_gate)
        {
            if (!_remotes.TryGetValue(targetAddress, out var target) || !target.AsksTo.TryGetValue(askId, out var ask))
            {
                return;
            }

            _pending.Remove(ask);
            var (logEvent, hubEvent) = code switch
            {
                ErrorCodes.Timeout => (HubLogEvents.AskTimeout, HubEvents.Timeout),
                ErrorCodes.PeerGone => (HubLogEvents.AskPeerGone, HubEvents.PeerGone),
                _ => (HubLogEvents.AskStatus, HubEvents.AskStatus),
            };
            EndAsk(ask, code, text ?? $"the ask to {targetAddress} ended with {code}", logEvent, hubEvent);
            ProcessDrops();
        }
    }

    /// <summary>
    /// The peer an ask's <c>to</c> names: <c>name@host</c> on that host (this host's own name included), or a plain
    /// name when exactly one peer, here or remote, has it. Asks from other hosts only reach local peers.
    /// <paramref name="candidates"/> lists the addresses when a plain name is ambiguous.
    /// </summary>
    private IPeer? ResolveTarget(IPeer asker, string to, out List<string>? candidates)
    {
        candidates = null;
        if (PeerAddress.TrySplit(to, out var name, out var host))
        {
            if (host == LocalHost)
            {
                return _registry.TryGet(name, out var here) ? here : null;
            }

            return asker is RemoteAsker ? null : _remotes.GetValueOrDefault(to);
        }

        _registry.TryGet(to, out var local);
        if (asker is RemoteAsker || _remotes.Count == 0)
        {
            return local;
        }

        IPeer? found = local;
        foreach (var remote in _remotes.Values)
        {
            if (remote.PeerName != to)
            {
                continue;
            }

            if (found is null)
            {
                found = remote;
                continue;
            }

            candidates ??= [found is RemotePeer first ? first.Name! : PeerAddress.Format(to, LocalHost!)];
            candidates.Add(remote.Name!);
        }

        if (candidates is not null)
        {
            candidates.Sort(StringComparer.Ordinal);
            return null;
        }

        return found;
    }
}
