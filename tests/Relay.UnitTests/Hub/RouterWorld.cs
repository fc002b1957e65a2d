using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using Relay.Hub;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>A <see cref="Router"/> in process: fake peers feed it lines, a fake clock drives its timers.</summary>
internal sealed class RouterWorld : IDisposable
{
    public static readonly TimeSpan IdleExit = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultAskTimeout = TimeSpan.FromSeconds(120);

    public static readonly TimeSpan HoldWindow = TimeSpan.FromMinutes(3);

    /// <param name="localHost">When set, the router is in a NATS space under this host name.</param>
    /// <param name="hold">The bounds of what is held for away peers (default: the hub's).</param>
    /// <param name="holdWindow">How long asks wait for an away channel (default <see cref="HoldWindow"/>).</param>
    public RouterWorld(string? localHost = null, HoldBounds? hold = null, TimeSpan? holdWindow = null)
    {
        var options = new HubOptions
        {
            SocketPath = "/nonexistent/hub.sock",
            IdleExit = IdleExit,
            DefaultAskTimeout = DefaultAskTimeout,
            HoldWindow = holdWindow ?? HoldWindow,
            Hold = hold ?? HoldBounds.Default,
            Nats = localHost is null ? null : new Relay.Hub.Nats.NatsSettings { Urls = ["nats://127.0.0.1:1"], Host = localHost },
        };
        Router = new Router(options, StopRequests.Add, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    public Router Router { get; }

    /// <summary>The reasons the router asked the hub to stop with.</summary>
    public List<string> StopRequests { get; } = [];

    public FakePeer Connect()
    {
        var peer = new FakePeer(Time.GetUtcNow());
        Router.OnConnected(peer);
        return peer;
    }

    /// <summary>A connected peer registered as <paramref name="name"/>, its ack already taken.</summary>
    public FakePeer Register(string name, string? kind = PeerKinds.Cli)
    {
        var peer = Connect();
        Send(peer, new RegisterMessage { Name = name, ProtocolVersion = ProtocolVersion.Current, Kind = kind });
        Assert.Equal(name, peer.Single<AckMessage>().Name);
        return peer;
    }

    /// <summary>A relay channel (kind <c>claude</c>) registered as <paramref name="name"/> for Claude Code session <paramref name="sessionId"/>.</summary>
    public FakePeer RegisterChannel(string name, string? sessionId)
    {
        var peer = Connect();
        Send(peer, new RegisterMessage { Name = name, ProtocolVersion = ProtocolVersion.Current, Kind = PeerKinds.Claude, SessionId = sessionId, Delivery = DeliveryPaths.Inbox });
        // The ack only: asks sent to a returning peer stay in Received for the test.
        var ack = Assert.IsType<AckMessage>(peer.Received[0]);
        peer.Received.RemoveAt(0);
        Assert.Equal(name, ack.Name);
        return peer;
    }

    /// <summary>A connected observer, its ack already taken.</summary>
    public FakePeer Watch()
    {
        var observer = Connect();
        Send(observer, new WatchMessage { ProtocolVersion = ProtocolVersion.Current });
        observer.Single<AckMessage>();
        return observer;
    }

    public void Send(FakePeer peer, ClientMessage message) => Send(peer, RelayJson.Serialize(message));

    public void Send(FakePeer peer, string line) => Send(peer, System.Text.Encoding.UTF8.GetBytes(line));

    public void Send(FakePeer peer, byte[] line) => Router.HandleLine(peer, new ReadOnlySequence<byte>(line));

    /// <summary>Sends an ask and takes the asker's ack and the target's incoming_ask.</summary>
    public IncomingAskMessage Ask(FakePeer asker, FakePeer target, string askId, long? timeoutMs = null)
    {
        Send(asker, new AskMessage { To = target.Name!, Question = "q?", AskId = askId, TimeoutMs = timeoutMs });
        Assert.Equal(askId, asker.Single<AckMessage>().AskId);
        return target.Single<IncomingAskMessage>();
    }

    public void Disconnect(FakePeer peer) => Router.OnDisconnected(peer);

    public void Dispose() => Router.Dispose();
}
