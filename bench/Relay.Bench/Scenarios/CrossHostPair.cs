using Relay.Bench.Infra;
using Relay.Bench.Results;
using Relay.Protocol.Messages;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Two hubs of the relay binary joined to one nats-server as hosts A and B of one space (own data dirs, optional extra
/// hub environment), raw socket peers X and Y on A and Z on B; Y and Z answer every incoming_ask at once, X asks
/// through its <see cref="RawAsker"/>. Started once each peer's hub lists the peer on the other host. Disposing stops
/// the peers, then both hubs.
/// </summary>
internal sealed class CrossHostPair : IDisposable
{
    private readonly PeerListing _listing = new();
    private readonly RawAsker _asker;
    private readonly BenchWorld _worldA;
    private readonly BenchWorld _worldB;
    private readonly RawHubPeer? _x;
    private readonly RawHubPeer? _y;
    private readonly RawHubPeer? _z;

    private CrossHostPair(BenchOptions options, string natsUrl, string space, string hostA, string hostB, IReadOnlyDictionary<string, string> hubEnv)
    {
        HostA = hostA;
        HostB = hostB;
        _asker = new RawAsker("crosshost " + hostA + "→" + hostB, "c");
        _worldA = new BenchWorld(options);
        _worldB = new BenchWorld(options);
        try
        {
            foreach (var (key, value) in hubEnv)
            {
                _worldA.Env[key] = value;
                _worldB.Env[key] = value;
            }

            _worldA.StartHub("--nats", natsUrl, "--host", hostA, "--space", space);
            _worldB.StartHub("--nats", natsUrl, "--host", hostB, "--space", space);
            _y = RawHubPeer.Connect(_worldA.SocketPath, hostA + "-y", Answer);
            _z = RawHubPeer.Connect(_worldB.SocketPath, hostB + "-z", Answer);
            _x = RawHubPeer.Connect(_worldA.SocketPath, hostA + "-x", (peer, message, ts) =>
            {
                if (message is PeersMessage peers)
                {
                    _listing.Peers = peers;
                }
                else
                {
                    _asker.OnMessage(peer, message, ts);
                }
            });
            WaitForPeer(_x, hostB + "-z", hostB);
            WaitForPeer(_z, hostA + "-x", hostA);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string HostA { get; }

    public string HostB { get; }

    public int HubPidA => _worldA.HubPid;

    public int HubPidB => _worldB.HubPid;

    private RawHubPeer X => _x ?? throw new ObjectDisposedException(nameof(CrossHostPair));

    /// <summary>Starts both hubs (<c>relay hub --nats URL --host H --space S</c>, plus <paramref name="hubEnv"/>) and the three peers.</summary>
    public static CrossHostPair Start(BenchOptions options, string natsUrl, string space, string hostA, string hostB, IReadOnlyDictionary<string, string>? hubEnv = null)
        => new(options, natsUrl, space, hostA, hostB, hubEnv ?? new Dictionary<string, string>());

    /// <summary>Sequential round trips X → Y, both on hub A.</summary>
    public Distribution Local(int warmup, int count) => _asker.Sequential(X, HostA + "-y", warmup, count, () => $"x: {_x?.LastError}, y: {_y?.LastError}");

    /// <summary>Sequential round trips X → <c>Z@B</c>, across the hosts.</summary>
    public Distribution Cross(int warmup, int count) => _asker.Sequential(X, CrossTarget, warmup, count, CrossErrors);

    /// <summary>X → <c>Z@B</c> asks/s with <see cref="BenchOptions.Outstanding"/> outstanding.</summary>
    public double CrossThroughput(TimeSpan window) => _asker.Throughput(X, CrossTarget, window, CrossErrors);

    public void Dispose()
    {
        _x?.Dispose();
        _z?.Dispose();
        _y?.Dispose();
        _asker.Dispose();
        _worldB.Dispose();
        _worldA.Dispose();
    }

    private string CrossTarget => HostB + "-z@" + HostB;

    private string CrossErrors() => $"x: {_x?.LastError}, z: {_z?.LastError}";

    /// <summary>An answering peer: replies to every incoming_ask at once; its list_peers answers go to the shared slot.</summary>
    private void Answer(RawHubPeer peer, ServerMessage message, long timestamp)
    {
        if (message is IncomingAskMessage ask)
        {
            peer.Send(new ReplyMessage { AskId = ask.AskId, Text = Messages.Reply(0) });
        }
        else if (message is PeersMessage peers)
        {
            _listing.Peers = peers;
        }
    }

    /// <summary>Polls list_peers on <paramref name="peer"/>'s hub until <paramref name="name"/> of <paramref name="host"/> is listed.</summary>
    private void WaitForPeer(RawHubPeer peer, string name, string host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            _listing.Peers = null;
            peer.Send(new ListPeersMessage { ReqId = "lp" });
            var answerBy = DateTime.UtcNow + BenchWorld.AnswerTimeout;
            PeersMessage? peers;
            while ((peers = _listing.Peers) is null && DateTime.UtcNow < answerBy)
            {
                Thread.Sleep(5);
            }

            if (peers?.Peers.Any(p => p.Name == name && p.Host == host) == true)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BenchFailure($"crosshost: {name}@{host} never listed by the other hub; {peer.LastError}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>The latest list_peers answer any of the pair's peers got.</summary>
    private sealed class PeerListing
    {
        private PeersMessage? _peers;

        public PeersMessage? Peers
        {
            get => Volatile.Read(ref _peers);
            set => Volatile.Write(ref _peers, value);
        }
    }
}
