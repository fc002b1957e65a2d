using System.Diagnostics;
using System.Globalization;
using System.Text;
using Relay.Bench.Infra;

namespace Relay.Bench.Soak;

/// <summary>
/// <c>relay-bench --soak DURATION</c>: N peers (default 100) ask each other, reply, broadcast and churn (one raw
/// peer leaves and comes back every 2 s) against one real hub for the duration, with the hub's default limits. Most
/// peers are raw socket peers; <c>--soak-channels</c> of them (default 4) are real <c>relay mcp</c> channels
/// (<see cref="SoakChannel"/>). Every ask is tracked by ask id (<see cref="SoakLedger"/>): lost (accepted, never
/// ended) and duplicated (more than one ending) must both be 0. The hub's and each channel's RSS and open fds are
/// read from /proc at the start, once warm, at the peak and at the end; the run fails when they grow more than the
/// printed bounds. Prints a Markdown summary; exit 1 on failure.
/// </summary>
internal static class SoakRunner
{
    private static readonly TimeSpan ChurnEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);
    private const double BroadcastShare = 0.002;

    public static int Run(BenchOptions options, TimeSpan duration)
    {
        try
        {
            return RunAsync(options, duration).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is BenchFailure or InvalidOperationException or TimeoutException or IOException)
        {
            Console.Error.WriteLine("relay-bench soak: FAILED: " + ex.Message);
            return 1;
        }
    }

    private static async Task<int> RunAsync(BenchOptions options, TimeSpan duration)
    {
        var peersWanted = options.SoakPeers;
        var channelCount = Math.Min(options.SoakChannels, peersWanted - 2);
        using var world = new BenchWorld(options);
        // The hub's own defaults (the bench otherwise turns the ask rate limit off for its throughput figures).
        world.Env["RELAY_HUB_ASK_RATE"] = null;
        // Channels ask with the soak's short timeout, so the asks they ignore end within the run.
        world.Env["RELAY_ASK_TIMEOUT_MS"] = SoakPeer.AskTimeoutMs.ToString(CultureInfo.InvariantCulture);
        var hubPid = world.StartHub();
        var ledger = new SoakLedger();
        var peers = new List<SoakPeer>();
        for (var i = 0; i < peersWanted - channelCount; i++)
        {
            peers.Add(new SoakPeer(world.SocketPath, "soak-" + i.ToString("D3", CultureInfo.InvariantCulture), ledger));
        }

        Progress($"soak: {peersWanted} peers ({channelCount} of them channels), {Format(duration)}, hub pid {hubPid}, relay {options.RelayPath}");
        foreach (var batch in peers.Chunk(20))
        {
            await Task.WhenAll(batch.Select(p => p.ConnectAsync())).ConfigureAwait(false);
        }

        var channelPeers = world.StartChannels(Enumerable.Range(0, channelCount).Select(i => "soak-ch" + i.ToString("D2", CultureInfo.InvariantCulture)));
        var channels = channelPeers.Select(peer => new SoakChannel(peer, ledger)).ToList();
        var names = peers.Select(p => p.Name).Concat(channels.Select(c => c.Name)).ToList();
        foreach (var channel in channelPeers)
        {
            BenchWorld.WaitPeers(channel, names.Count - 1);
        }

        await Task.Delay(500).ConfigureAwait(false);
        var hub = new FootprintTrack("hub", hubPid);
        var startKinds = ProcessFootprint.FdKinds(hubPid);
        var channelTracks = channels.Select(c => new FootprintTrack("channel " + c.Name, c.Pid)).ToList();
        List<FootprintTrack> tracks = [hub, .. channelTracks];
        var clock = Stopwatch.StartNew();
        var end = clock.Elapsed + duration;
        long asksSent = 0;
        long churns = 0;

        var askLoops = peers.Select((peer, index) => Task.Run(async () =>
        {
            var random = new Random(index);
            while (clock.Elapsed < end)
            {
                await Task.Delay(50 + random.Next(100)).ConfigureAwait(false);
                if (random.NextDouble() < BroadcastShare)
                {
                    await peer.BroadcastAsync().ConfigureAwait(false);
                    continue;
                }

                if (await peer.AskAsync(names[(index + 1 + random.Next(names.Count - 1)) % names.Count]).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref asksSent);
                }
            }
        })).ToList();
        askLoops.AddRange(channels.Select((channel, n) => Task.Run(async () =>
        {
            var index = peers.Count + n;
            var random = new Random(index);
            while (clock.Elapsed < end)
            {
                await Task.Delay(50 + random.Next(100)).ConfigureAwait(false);
                channel.Ask(names[(index + 1 + random.Next(names.Count - 1)) % names.Count]);
                Interlocked.Increment(ref asksSent);
            }
        })));

        var churn = Task.Run(async () =>
        {
            var random = new Random(4242);
            while (clock.Elapsed + ChurnEvery < end && peers.Count > 2)
            {
                await Task.Delay(ChurnEvery).ConfigureAwait(false);
                var peer = peers[random.Next(peers.Count)];
                await peer.LeaveAsync().ConfigureAwait(false);
                await Task.Delay(50).ConfigureAwait(false);
                await peer.ConnectAsync().ConfigureAwait(false);
                Interlocked.Increment(ref churns);
            }
        });

        var warmAt = TimeSpan.FromTicks(Math.Max(duration.Ticks / 10, TimeSpan.FromSeconds(5).Ticks));
        var warmTaken = false;
        var nextSample = SampleEvery;
        while (clock.Elapsed < end)
        {
            await Task.Delay(250).ConfigureAwait(false);
            if (!warmTaken && clock.Elapsed >= warmAt)
            {
                tracks.ForEach(t => t.TakeWarm());
                warmTaken = true;
            }

            if (clock.Elapsed >= nextSample)
            {
                nextSample += SampleEvery;
                var now = hub.Sample();
                channelTracks.ForEach(t => t.Sample());
                Progress($"soak {clock.Elapsed.TotalSeconds,5:0}s: {Interlocked.Read(ref asksSent)} asks, {ledger.Broadcasts} broadcasts, {Interlocked.Read(ref churns)} churns, {ledger.Open} open; hub {now.RssMiB:0.0} MiB, {now.OpenFds} fds");
            }

            if (world.CanConnect() is false)
            {
                throw new BenchFailure("the hub stopped answering during the soak");
            }
        }

        await Task.WhenAll(askLoops).ConfigureAwait(false);
        await churn.ConfigureAwait(false);
        var active = clock.Elapsed;

        // Every accepted ask ends within its timeout: wait for the last ones (ignored asks time out after 3 s).
        var drainDeadline = clock.Elapsed + TimeSpan.FromMilliseconds(SoakPeer.AskTimeoutMs) + TimeSpan.FromSeconds(10);
        while (ledger.Open > 0 && clock.Elapsed < drainDeadline)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        await Task.Delay(500).ConfigureAwait(false);
        tracks.ForEach(t => t.TakeEnd());
        var tally = ledger.Tally();
        var endKinds = ProcessFootprint.FdKinds(hubPid);
        foreach (var peer in peers)
        {
            await peer.LeaveAsync().ConfigureAwait(false);
        }

        var hubErrors = HubErrorLog.Read(world.DataDir);
        var failures = new List<string>();
        if (tally.Lost > 0)
        {
            failures.Add($"{tally.Lost} ask(s) lost");
        }

        if (tally.Duplicated > 0)
        {
            failures.Add($"{tally.Duplicated} ask(s) with more than one outcome");
        }

        if (hubErrors.Count > 0)
        {
            failures.Add($"the hub logged {hubErrors.Count} error(s)");
        }

        tracks.ForEach(t => t.Check(failures));

        var wronglyRefused = channels.SelectMany(c => c.LateAskIds).Where(id => !ledger.EndedOtherwise(id)).ToList();
        if (wronglyRefused.Count > 0)
        {
            failures.Add($"{wronglyRefused.Count} reply(ies) refused unknown_ask for an ask that had not ended otherwise, e.g. {wronglyRefused[0]}");
        }

        var replyErrors = channels.Sum(c => c.Counts.Failed);
        if (replyErrors > 0)
        {
            failures.Add($"{replyErrors} relay_reply call(s) failed, e.g. {channels.First(c => c.Counts.Failed > 0).LastReplyError}");
        }

        var (channelAsks, channelAnswers, channelLate) = (channels.Sum(c => c.Counts.Accepted), channels.Sum(c => c.Counts.Answered), channels.Sum(c => c.Counts.Late));
        Console.Out.Write(Summary(peersWanted, active, tally, ledger.Broadcasts, churns, hub, (channelTracks, channelAsks, channelAnswers, channelLate), failures));
        foreach (var (kind, count) in endKinds.Where(k => k.Value != startKinds.GetValueOrDefault(k.Key)))
        {
            Console.Error.WriteLine($"  hub fds {kind}: {startKinds.GetValueOrDefault(kind)} at the start, {count} at the end");
        }

        foreach (var error in hubErrors.Take(3))
        {
            Console.Error.WriteLine("  hub error: " + error);
        }

        foreach (var example in tally.Examples.Take(10))
        {
            Console.Error.WriteLine("  " + example);
        }

        return failures.Count == 0 ? 0 : 1;
    }

    private static string Summary(int peers, TimeSpan active, SoakTally tally, long broadcasts, long churns, FootprintTrack hub, (List<FootprintTrack> Rows, long Asks, long Answers, long Late) channels, List<string> failures)
    {
        var refused = tally.Refused.Count == 0 ? "0" : string.Join(", ", tally.Refused.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} {r.Key}"));
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## relay soak: {peers} peers, {Format(active)}");
        text.AppendLine();
        text.AppendLine("| figure | value |");
        text.AppendLine("|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| asks tracked (incl. broadcast targets) | {tally.Asks:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| accepted by the hub | {tally.Accepted:N0} ({tally.Accepted / active.TotalSeconds:N0}/s) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| broadcasts | {broadcasts:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| ended: reply / timeout / peer_gone | {tally.Replies:N0} / {tally.Timeouts:N0} / {tally.PeerGone:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| refused at once | {refused} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| abandoned (asker left; dropped by design) | {tally.Abandoned:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| peer churns (leave + re-register) | {churns:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| **lost** | **{tally.Lost}** |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| **duplicated** | **{tally.Duplicated}** |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| hub RSS start / warm / peak / end (MiB) | {hub.Start.RssMiB:0.0} / {hub.Warm.RssMiB:0.0} / {hub.Peak.RssMiB:0.0} / {hub.End.RssMiB:0.0} (bound {hub.RssBound:0.0}) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| hub open fds start / peak / end (not counting .dll/.pdb files) | {hub.Start.OpenFds} / {hub.Peak.OpenFds} / {hub.End.OpenFds} (bound {hub.FdBound}) |");
        if (channels.Rows.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| of these, by the {channels.Rows.Count} channels: asks accepted / incoming asks answered with relay_reply / replies refused unknown_ask (the ask had ended: late reply) | {channels.Asks:N0} / {channels.Answers:N0} / {channels.Late:N0} |");
        }

        foreach (var c in channels.Rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {c.Label}: RSS start / warm / peak / end (MiB); open fds start / peak / end | {c.Start.RssMiB:0.0} / {c.Warm.RssMiB:0.0} / {c.Peak.RssMiB:0.0} / {c.End.RssMiB:0.0} (bound {c.RssBound:0.0}); {c.Start.OpenFds} / {c.Peak.OpenFds} / {c.End.OpenFds} (bound {c.FdBound}) |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| result | {(failures.Count == 0 ? "PASS" : "FAIL: " + string.Join("; ", failures))} |");
        return text.ToString();
    }

    private static string Format(TimeSpan span) => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0} s";

    private static void Progress(string message) => Console.Error.WriteLine(message);
}
