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

    /// <param name="localHost">When set, the router is in a NATS space under this host name.</param>
    public RouterWorld(string? localHost = null)
    {
        var options = new HubOptions
        {
            SocketPath = "/nonexistent/hub.sock",
            IdleExit = IdleExit,
            DefaultAskTimeout = DefaultAskTimeout,
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
