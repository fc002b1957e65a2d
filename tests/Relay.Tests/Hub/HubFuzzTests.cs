using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Relay.Tests.Hub;

/// <summary>
/// Seeded fuzzing of one real hub process: several connections send generated hostile input
/// (<see cref="HubFuzzGenerator"/>) in sessions that end cleanly, with a line cut off by a half-close, or with an
/// over-long line, while a well-behaved pair keeps asking and replying. The hub must never crash or hang, answer
/// every line exactly once (tagged lines with their req_id), and keep serving the good pair throughout.
/// </summary>
/// <remarks>
/// <c>RELAY_FUZZ_SEED</c> fixes the seed (otherwise a random one, printed in every failure message);
/// <c>RELAY_FUZZ_CASES</c> sets the number of generated lines (default 10,000: about 6-10 s with a debug build).
/// Long local run: <c>RELAY_FUZZ_CASES=500000 dotnet test tests/Relay.Tests --filter HubFuzzTests</c> (100,000 take
/// about 40 s). A seed reproduces each connection's input exactly; how the connections interleave depends on timing.
/// </remarks>
public sealed class HubFuzzTests(ITestOutputHelper output)
{
    private const int Connections = 4;
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Hostile_input_on_several_connections_never_crashes_or_hangs_the_hub_and_a_good_pair_is_served_throughout()
    {
        var seed = ReadInt("RELAY_FUZZ_SEED") ?? Random.Shared.Next();
        var cases = ReadInt("RELAY_FUZZ_CASES") ?? 10_000;
        var failures = new ConcurrentQueue<string>();
        void Fail(string what) => failures.Enqueue(what);
        string Context() => $"RELAY_FUZZ_SEED={seed} RELAY_FUZZ_CASES={cases}";
        output.WriteLine($"hub fuzz: {Context()}");

        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        var answers = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        using var stopGood = new CancellationTokenSource();
        var good = new GoodPair(alice, bob, Fail);
        var goodRun = good.RunAsync(stopGood.Token);

        var fuzzers = new Task<int>[Connections];
        for (var i = 0; i < Connections; i++)
        {
            var index = i;
            var quota = (cases / Connections) + (index < cases % Connections ? 1 : 0);
            fuzzers[i] = Task.Run(() => FuzzAsync(world.SocketPath, seed, index, quota, Fail, answers));
        }

        Exception? crash = null;
        try
        {
            await Task.WhenAll(fuzzers).WaitAsync(TimeSpan.FromMinutes(30));
        }
        catch (Exception ex)
        {
            crash = ex;
        }

        await stopGood.CancelAsync();
        await Task.WhenAny(goodRun, Task.Delay(AnswerWait));
        var elapsed = clock.Elapsed;

        if (crash is not null || !failures.IsEmpty || world.Hub.HasExited)
        {
            var errors = (await world.Sandbox.ReadLogsAsync()).Split('\n').Where(l => l.Contains("\"level\":\"error\"", StringComparison.Ordinal) || l.Contains("\"level\":\"warn\"", StringComparison.Ordinal) || l.Contains("peer_dropped_slow", StringComparison.Ordinal));
            output.WriteLine("hub warnings and errors logged:\n" + string.Join("\n", errors.Take(5)));
            output.WriteLine("failures:\n" + string.Join("\n", failures.Take(10)));
        }

        Assert.True(crash is null, $"{Context()}: a fuzzing connection failed: {crash}");
        Assert.False(world.Hub.HasExited, $"{Context()}: the hub exited with {(world.Hub.HasExited ? world.Hub.Process.ExitCode : 0)}; stderr: {world.Hub.Stderr}");
        Assert.True(goodRun.IsCompletedSuccessfully, $"{Context()}: the good pair failed: {goodRun.Exception}");
        Assert.True(failures.IsEmpty, $"{Context()}: {failures.Count} failure(s), first ones:\n" + string.Join("\n", failures.Take(10)));

        // The good pair was served throughout, and still is.
        Assert.True(good.Completed >= 10, $"{Context()}: only {good.Completed} good round trips in {elapsed.TotalSeconds:0.0} s");
        await alice.SendAsync(new HubStatusMessage { ReqId = "final-status" });
        while ((await alice.NextAsync()) is not HubStatusReplyMessage { ReqId: "final-status" })
        {
        }

        var logs = await world.Sandbox.ReadLogsAsync();
        Assert.DoesNotContain("\"hub_error\"", logs, StringComparison.Ordinal);

        var sent = fuzzers.Sum(f => f.Result);
        output.WriteLine($"hub fuzz: {sent} cases on {Connections} connections in {elapsed.TotalSeconds:0.0} s ({sent / elapsed.TotalSeconds:0} cases/s); good pair: {good.Completed} round trips, max {good.MaxLatency.TotalMilliseconds:0} ms, {good.FuzzAsksAnswered} fuzz asks answered");
        output.WriteLine("answers: " + string.Join(", ", answers.OrderByDescending(a => a.Value).Select(a => $"{a.Key} {a.Value}")));
    }

    /// <summary>One connection's share: sessions of generated lines, each ended one of three ways. Returns the cases sent.</summary>
    private static async Task<int> FuzzAsync(string socketPath, int seed, int index, int quota, Action<string> fail, ConcurrentDictionary<string, int> answers)
    {
        var generator = new HubFuzzGenerator(HashCode.Combine(seed, index), $"fz{index}-");
        var random = generator.Random;
        var done = 0;
        for (var session = 0; done < quota; session++)
        {
            await using var connection = await FuzzConnection.ConnectAsync(socketPath, what => fail($"connection {index} session {session}: {what}"), answers);
            var lines = Math.Min(quota - done, 1 + random.Next(600));
            for (var i = 0; i < lines; i++)
            {
                await connection.SendAsync(generator.Next(), random);
                done++;
            }

            await connection.DrainAsync(AnswerWait);
            switch (session % 4)
            {
                case 1:
                    // A line cut off by the end of input is never parsed: nothing more comes, then the hub closes.
                    await connection.SendFragmentAsync(generator.Partial(), random);
                    connection.ShutdownSend();
                    await ExpectClosedAsync(connection, "after a half-close with a cut-off line", fail);
                    done++;
                    break;
                case 3:
                    // An over-long line: one bad_msg without req_id, then the hub closes the connection.
                    var longLine = new byte[Limits.MaxLineBytes + 1 + random.Next(4096)];
                    Array.Fill(longLine, (byte)'a');
                    try
                    {
                        await connection.SendAsync(new FuzzLine(longLine, null, "over-long line"), random);
                    }
                    catch (SocketException)
                    {
                        // The hub may close before the whole line is written.
                    }

                    await ExpectClosedAsync(connection, "after an over-long line", fail);
                    if (connection.Outstanding != 0)
                    {
                        fail($"connection {index} session {session}: the over-long line got no bad_msg before the close");
                    }

                    done++;
                    break;
            }
        }

        return done;
    }

    private static async Task ExpectClosedAsync(FuzzConnection connection, string when, Action<string> fail)
    {
        if (await Task.WhenAny(connection.Closed, Task.Delay(AnswerWait)) != connection.Closed)
        {
            fail("the hub did not close the connection " + when);
        }
    }

    private static int? ReadInt(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;

    /// <summary>
    /// alice asks bob every 20 ms (under the per-peer rate limit) and must get exactly one ack and one reply per ask;
    /// both answer every ask the fuzzers send them.
    /// </summary>
    private sealed class GoodPair(RawHubClient alice, RawHubClient bob, Action<string> fail)
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
        private int _fuzzAsks;

        public int Completed { get; private set; }

        public TimeSpan MaxLatency { get; private set; }

        public int FuzzAsksAnswered => Volatile.Read(ref _fuzzAsks);

        public async Task RunAsync(CancellationToken stop)
        {
            using var bobStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var bobRun = AnswerAllAsync(bob, bobStop.Token);
            try
            {
                for (var n = 1; !stop.IsCancellationRequested; n++)
                {
                    await OneRoundTripAsync(n);
                    await Task.Delay(20, CancellationToken.None);
                }
            }
            finally
            {
                await bobStop.CancelAsync();
                await bobRun.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        private async Task OneRoundTripAsync(int n)
        {
            var askId = "good-" + n;
            var reqId = "good-r-" + n;
            var started = Stopwatch.StartNew();
            await alice.SendAsync(new AskMessage { To = "bob", Question = "good question " + n, AskId = askId, ReqId = reqId, TimeoutMs = 60_000 });
            var acked = false;
            var replied = false;
            while (!(acked && replied))
            {
                var message = await alice.NextAsync(Wait);
                switch (message)
                {
                    case AckMessage ack when ack.ReqId == reqId:
                        Check(!acked, $"good ask {askId} acked twice");
                        acked = true;
                        break;
                    case IncomingReplyMessage reply when reply.AskId == askId:
                        Check(!replied, $"good ask {askId} replied twice");
                        Check(reply.Text == "good answer " + n, $"good ask {askId} got the wrong reply text");
                        replied = true;
                        break;
                    case IncomingAskMessage fuzzAsk:
                        await AnswerAsync(alice, fuzzAsk);
                        break;
                    case ErrMessage err when err.ReqId == reqId || err.AskId == askId:
                        fail($"good ask {askId} failed: {err.Code} {err.Message}");
                        return;
                    default:
                        // Answers to alice's replies to fuzz asks (ack or unknown_ask), and late lines of earlier asks.
                        Check(message.ReqId is null || message.ReqId.StartsWith("alice-", StringComparison.Ordinal) || !message.ReqId.StartsWith("good-", StringComparison.Ordinal), $"alice got an unexpected line for {message.ReqId}");
                        break;
                }
            }

            MaxLatency = started.Elapsed > MaxLatency ? started.Elapsed : MaxLatency;
            Completed++;
        }

        private async Task AnswerAllAsync(RawHubClient peer, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                ServerMessage message;
                try
                {
                    message = await peer.NextAsync(TimeSpan.FromMilliseconds(200));
                }
                catch (TimeoutException)
                {
                    continue;
                }

                if (message is IncomingAskMessage ask)
                {
                    await AnswerAsync(peer, ask);
                }
            }
        }

        private async Task AnswerAsync(RawHubClient peer, IncomingAskMessage ask)
        {
            var good = ask.AskId.StartsWith("good-", StringComparison.Ordinal);
            var text = good ? "good answer " + ask.AskId["good-".Length..] : "fuzz answer";
            if (!good)
            {
                Interlocked.Increment(ref _fuzzAsks);
            }

            await peer.SendAsync(new ReplyMessage { AskId = ask.AskId, Text = text, ReqId = peer.Name + "-" + peer.NewReqId() });
        }

        private void Check(bool condition, string what)
        {
            if (!condition)
            {
                fail(what);
            }
        }
    }
}
