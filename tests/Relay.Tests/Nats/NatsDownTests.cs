using System.Net;
using System.Net.Sockets;
using Relay.Protocol.Messages;
using Relay.Tests.Hub;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Nats;

/// <summary>A hub configured for NATS whose server never answers still routes locally, at once.</summary>
public sealed class NatsDownTests
{
    [Fact]
    public async Task LocalRoutingWorksWhileNatsIsUnreachable()
    {
        await using var world = await HubWorld.StartAsync(new Dictionary<string, string?>
        {
            ["RELAY_NATS_URL"] = $"nats://127.0.0.1:{UnusedLoopbackPort()}",
            ["RELAY_HOST"] = "solo",
            ["RELAY_HUB_NATIVE_SESSIONS"] = "0",
        });
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");

        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "local?", AskId = "a-1" });
        var incoming = await bob.NextAsync<IncomingAskMessage>();
        Assert.Equal("alice", incoming.From);
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "yes" });
        Assert.Equal("yes", (await alice.NextAsync<IncomingReplyMessage>()).Text);

        // This host's own name addresses a local peer; every listed peer carries it.
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@solo", Question = "by address?", AskId = "a-2" });
        Assert.Equal("a-2", (await bob.NextAsync<IncomingAskMessage>()).AskId);
        var peers = await alice.RequestAsync<PeersMessage>(new ListPeersMessage());
        Assert.All(peers.Peers, p => Assert.Equal("solo", p.Host));
        Assert.Contains("nats_unreachable", await ReadLogAsync(world.Sandbox), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidHostNameIsRefusedAtStart()
    {
        await using var sandbox = new RelaySandbox();
        var hub = sandbox.StartRelay(["hub", "--nats", "nats://127.0.0.1:1", "--host", "has.dot"]);
        Assert.Equal(9, await hub.WaitForExitAsync());
        Assert.Contains("invalid host name", hub.Stderr, StringComparison.Ordinal);
    }

    private static int UnusedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> ReadLogAsync(RelaySandbox sandbox)
    {
        var logs = Path.Combine(sandbox.DataDir, "logs");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var text = Directory.Exists(logs)
                ? string.Concat(Directory.GetFiles(logs, "*.log").Select(File.ReadAllText))
                : "";
            if (text.Contains("nats_unreachable", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return text;
            }

            await Task.Delay(200);
        }
    }
}
