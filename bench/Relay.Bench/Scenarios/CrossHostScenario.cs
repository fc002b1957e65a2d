using System.Diagnostics;
using System.Text;
using NATS.Client.Core;
using Relay.Bench.Infra;
using Relay.Bench.Results;
using Relay.Protocol.Messages;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Relay across hosts, all on loopback: one <c>nats-server -js</c>, two hubs of the relay binary joined to it as
/// hosts <c>ha</c> and <c>hb</c> (own data dirs), raw socket peers X and Y on ha and Z on hb; Y and Z answer every
/// incoming_ask at once. Figures, in one run: the local round trip (X asks Y), the NATS request/reply floor (NATS.Net
/// core request/reply, responder and requester on the same server), the cross-host round trip (X asks
/// <c>hb-z@hb</c>) and cross-host asks/s with 8 outstanding. Skipped with a message when nats-server is not on PATH.
/// </summary>
internal sealed class CrossHostScenario : IScenario
{
    private const string Space = "bench";

    public string Name => "crosshost";

    public void Run(BenchContext context, int run)
    {
        if (NatsServerProcess.Find() is not { } natsServer)
        {
            context.Progress("crosshost: SKIPPED, nats-server is not on PATH (install it, e.g. apt-get install nats-server, to measure relay across hosts)");
            return;
        }

        var options = context.Options;
        using var nats = NatsServerProcess.Start(natsServer);
        context.Detail($"crosshost: nats-server pid {nats.Pid} on {nats.Url}");
        using var worldA = new BenchWorld(options);
        using var worldB = new BenchWorld(options);
        worldA.StartHub("--nats", nats.Url, "--host", "ha", "--space", Space);
        worldB.StartHub("--nats", nats.Url, "--host", "hb", "--space", Space);

        using var asker = new RawAsker("crosshost", "c");
        var listing = new PeerListing();
        using var y = RawHubPeer.Connect(worldA.SocketPath, "ha-y", (peer, message, _) => Answer(listing, peer, message));
        using var z = RawHubPeer.Connect(worldB.SocketPath, "hb-z", (peer, message, _) => Answer(listing, peer, message));
        using var x = RawHubPeer.Connect(worldA.SocketPath, "ha-x", (peer, message, ts) =>
        {
            if (message is PeersMessage peers)
            {
                listing.Peers = peers;
            }
            else
            {
                asker.OnMessage(peer, message, ts);
            }
        });
        WaitForPeer(x, listing, "hb-z", "hb");
        WaitForPeer(z, listing, "ha-x", "ha");

        var local = asker.Sequential(x, "ha-y", options.Warmup, options.CrossHostAsks, () => $"x: {x.LastError}, y: {y.LastError}");
        var floor = NatsFloor(nats.Url, options.Warmup, options.CrossHostAsks);
        var cross = asker.Sequential(x, "hb-z@hb", options.Warmup, options.CrossHostAsks, () => $"x: {x.LastError}, z: {z.LastError}");
        var (natsCpu0, hubsCpu0) = (ProcStats.StatCpuMs(nats.Pid), ProcStats.StatCpuMs(worldA.HubPid) + ProcStats.StatCpuMs(worldB.HubPid));
        var rate = asker.Throughput(x, "hb-z@hb", options.ThroughputWindow, () => $"x: {x.LastError}, z: {z.LastError}");
        var asks = rate * options.ThroughputWindow.TotalSeconds;
        var natsCpu = (ProcStats.StatCpuMs(nats.Pid) - natsCpu0) / asks;
        var hubsCpu = (ProcStats.StatCpuMs(worldA.HubPid) + ProcStats.StatCpuMs(worldB.HubPid) - hubsCpu0) / asks;

        context.Results.AddDistribution(run, "crosshost.local", local);
        context.Results.AddDistribution(run, "crosshost.nats", floor);
        context.Results.AddDistribution(run, "crosshost.rt", cross);
        context.Results.Add(run, "crosshost.local_p50", local.P50);
        context.Results.Add(run, "crosshost.local_p99", local.P99);
        context.Results.Add(run, "crosshost.nats_p50", floor.P50);
        context.Results.Add(run, "crosshost.nats_p99", floor.P99);
        context.Results.Add(run, "crosshost.floor_p50", floor.P50 + local.P50);
        context.Results.Add(run, "crosshost.floor_p99", floor.P99 + local.P99);
        context.Results.Add(run, "crosshost.rt_p50", cross.P50);
        context.Results.Add(run, "crosshost.rt_p99", cross.P99);
        context.Results.Add(run, "crosshost.asks_per_s", rate);
        context.Results.Add(run, "crosshost.nats_cpu_per_ask_ms", natsCpu);
        context.Results.Add(run, "crosshost.hubs_cpu_per_ask_ms", hubsCpu);
        context.Progress($"crosshost: local p50 {local.P50:0.000} p99 {local.P99:0.000} ms, NATS request/reply p50 {floor.P50:0.000} p99 {floor.P99:0.000} ms, cross-host p50 {cross.P50:0.000} p99 {cross.P99:0.000} ms ({cross.P50 / (floor.P50 + local.P50):0.00}× floor + local), {rate:0} asks/s with {BenchOptions.Outstanding} outstanding (CPU per ask: nats-server {natsCpu:0.000} ms, both hubs {hubsCpu:0.000} ms)");
    }

    /// <summary>An answering peer: replies to every incoming_ask at once; its list_peers answers go to the shared slot.</summary>
    private static void Answer(PeerListing listing, RawHubPeer peer, ServerMessage message)
    {
        if (message is IncomingAskMessage ask)
        {
            peer.Send(new ReplyMessage { AskId = ask.AskId, Text = Messages.Reply(0) });
        }
        else if (message is PeersMessage peers)
        {
            listing.Peers = peers;
        }
    }

    /// <summary>Polls list_peers on <paramref name="peer"/>'s hub until <paramref name="name"/> of <paramref name="host"/> is listed.</summary>
    private static void WaitForPeer(RawHubPeer peer, PeerListing listing, string name, string host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            listing.Peers = null;
            peer.Send(new ListPeersMessage { ReqId = "lp" });
            var answerBy = DateTime.UtcNow + BenchWorld.AnswerTimeout;
            PeersMessage? peers;
            while ((peers = listing.Peers) is null && DateTime.UtcNow < answerBy)
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

    /// <summary>Core NATS request/reply round trips (256 bytes each way) between two connections to the same server.</summary>
    private static Distribution NatsFloor(string url, int warmup, int count)
    {
        return Task.Run(async () =>
        {
            var request = Encoding.UTF8.GetBytes(Messages.Question(0));
            var reply = Encoding.UTF8.GetBytes(Messages.Reply(0));
            await using var responder = new NatsConnection(new NatsOpts { Url = url, Name = "bench-responder" });
            await responder.ConnectAsync();
            await using var sub = await responder.SubscribeCoreAsync<byte[]>("bench.floor");
            var serving = Task.Run(async () =>
            {
                await foreach (var msg in sub.Msgs.ReadAllAsync())
                {
                    await msg.ReplyAsync(reply);
                }
            });
            await responder.PingAsync();
            await using var requester = new NatsConnection(new NatsOpts { Url = url, Name = "bench-requester" });
            await requester.ConnectAsync();
            var samples = new List<double>(count);
            for (var i = 0; i < warmup + count; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var answer = await requester.RequestAsync<byte[], byte[]>("bench.floor", request).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                var t1 = Stopwatch.GetTimestamp();
                if (answer.Data is not { Length: Messages.Size })
                {
                    throw new BenchFailure($"crosshost: NATS request/reply answered {answer.Data?.Length ?? 0} bytes");
                }

                if (i >= warmup)
                {
                    samples.Add(BenchContext.Ms(t0, t1));
                }
            }

            await sub.UnsubscribeAsync();
            await serving.WaitAsync(TimeSpan.FromSeconds(5));
            return Distribution.Of(samples);
        }).GetAwaiter().GetResult();
    }

    /// <summary>The latest list_peers answer any of the scenario's peers got.</summary>
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
