using System.Diagnostics;
using System.Globalization;
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
    private const int MaxTracked = 1 << 16;
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

        var asker = new Asker();
        using var replied = asker.Replied;
        using var drained = asker.Drained;
        using var y = RawHubPeer.Connect(worldA.SocketPath, "ha-y", (peer, message, _) => Answer(asker, peer, message));
        using var z = RawHubPeer.Connect(worldB.SocketPath, "hb-z", (peer, message, _) => Answer(asker, peer, message));
        using var x = RawHubPeer.Connect(worldA.SocketPath, "ha-x", asker.OnMessage);
        WaitForPeer(x, asker, "hb-z", "hb");
        WaitForPeer(z, asker, "ha-x", "ha");

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
    private static void Answer(Asker asker, RawHubPeer peer, ServerMessage message)
    {
        if (message is IncomingAskMessage ask)
        {
            peer.Send(new ReplyMessage { AskId = ask.AskId, Text = Messages.Reply(0) });
        }
        else if (message is PeersMessage peers)
        {
            asker.Peers = peers;
        }
    }

    /// <summary>Polls list_peers on <paramref name="peer"/>'s hub until <paramref name="name"/> of <paramref name="host"/> is listed.</summary>
    private static void WaitForPeer(RawHubPeer peer, Asker asker, string name, string host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            asker.Peers = null;
            peer.Send(new ListPeersMessage { ReqId = "lp" });
            var answerBy = DateTime.UtcNow + BenchWorld.AnswerTimeout;
            PeersMessage? peers;
            while ((peers = asker.Peers) is null && DateTime.UtcNow < answerBy)
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

    /// <summary>The asking peer's side: sequential round trips, then a window with 8 asks outstanding.</summary>
    private sealed class Asker
    {
        private bool _pipelined;
        private bool _windowOpen;
        private int _completed;
        private int _inFlight;
        private int _nextSeq;
        private string _to = "";
        private PeersMessage? _peers;

        public Arrival Replied { get; } = new();

        public ManualResetEventSlim Drained { get; } = new(false, spinCount: 0);

        public PeersMessage? Peers
        {
            get => Volatile.Read(ref _peers);
            set => Volatile.Write(ref _peers, value);
        }

        public void OnMessage(RawHubPeer peer, ServerMessage message, long timestamp)
        {
            if (message is PeersMessage peers)
            {
                Peers = peers;
                return;
            }

            if (message is not IncomingReplyMessage)
            {
                return;
            }

            if (!Volatile.Read(ref _pipelined))
            {
                Replied.Arrived(timestamp);
                return;
            }

            Interlocked.Increment(ref _completed);
            if (Volatile.Read(ref _windowOpen))
            {
                Send(peer, Interlocked.Increment(ref _nextSeq) % MaxTracked);
            }
            else if (Interlocked.Decrement(ref _inFlight) == 0)
            {
                Drained.Set();
            }
        }

        public Distribution Sequential(RawHubPeer peer, string to, int warmup, int count, Func<string> errors)
        {
            _to = to;
            var samples = new List<double>(count);
            for (var i = 0; i < warmup + count; i++)
            {
                var seq = Interlocked.Increment(ref _nextSeq) % MaxTracked;
                var t0 = Stopwatch.GetTimestamp();
                Send(peer, seq);
                var t1 = Replied.Wait(TimeSpan.FromSeconds(10)) ?? throw new BenchFailure($"crosshost: no incoming_reply for ask {seq} to {to}; {errors()}");
                if (i >= warmup)
                {
                    samples.Add(BenchContext.Ms(t0, t1));
                }
            }

            return Distribution.Of(samples);
        }

        /// <summary>Every reply sends the next ask while the window is open; the in-flight count drains after it.</summary>
        public double Throughput(RawHubPeer peer, string to, TimeSpan window, Func<string> errors)
        {
            _to = to;
            Volatile.Write(ref _pipelined, true);
            Volatile.Write(ref _windowOpen, true);
            _inFlight = BenchOptions.Outstanding;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < BenchOptions.Outstanding; i++)
            {
                Send(peer, Interlocked.Increment(ref _nextSeq) % MaxTracked);
            }

            Thread.Sleep(window);
            var done = Volatile.Read(ref _completed);
            var elapsed = clock.Elapsed;
            Volatile.Write(ref _windowOpen, false);
            if (!Drained.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new BenchFailure($"crosshost: asks to {to} did not drain; {errors()}");
            }

            return done / elapsed.TotalSeconds;
        }

        private void Send(RawHubPeer peer, int seq) => peer.Send(new AskMessage { To = _to, AskId = "c" + seq.ToString(CultureInfo.InvariantCulture), Question = Messages.Question(seq) });
    }
}
