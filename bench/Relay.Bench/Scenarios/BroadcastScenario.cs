using System.Diagnostics;
using Relay.Bench.Infra;
using Relay.Bench.Results;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Broadcast fan-out through real channels: one caller and N other channels (10, 50, 100, added as the sizes grow).
/// Each client answers its push at once with relay_reply. Figures: call written → the last of the N clients has the
/// push ("all notified"), and → the caller's client has the N-th reply push ("all replies back").
/// </summary>
internal sealed class BroadcastScenario : IScenario
{
    public string Name => "broadcast";

    public void Run(BenchContext context, int run)
    {
        var options = context.Options;
        using var world = new BenchWorld(options);
        world.StartHub();
        var caller = world.StartChannel("bc-caller");
        var peers = new List<RawMcpPeer>();
        using var state = new FanOutState();
        caller.OnPush = state.OnCallerPush;
        foreach (var size in options.BroadcastSizes)
        {
            var added = world.StartChannels(Enumerable.Range(peers.Count, size - peers.Count).Select(i => $"bc-{i:D3}"));
            foreach (var peer in added)
            {
                var index = peers.Count;
                peer.OnPush = (p, push) => state.OnPeerPush(index, p, push);
                peers.Add(peer);
            }

            BenchWorld.WaitPeers(caller, size);
            state.Resize(size);
            var notified = new List<double>();
            var replied = new List<double>();
            for (var i = 0; i <= options.BroadcastsPerSize; i++)
            {
                var (n, r) = state.BroadcastOnce(caller, size);
                // The first broadcast at a size warms the new channels' code paths; it is dropped.
                if (i > 0)
                {
                    notified.Add(n);
                    replied.Add(r);
                }
            }

            foreach (var peer in peers.Where(p => p.ToolErrors > 0))
            {
                throw new BenchFailure($"{peer.Name}: relay_reply failed: {peer.LastToolError}");
            }

            context.Results.Add(run, $"broadcast.{size}.notified", Distribution.Median(notified));
            context.Results.Add(run, $"broadcast.{size}.replied", Distribution.Median(replied));
            context.Progress($"broadcast to {size}: all notified {Distribution.Median(notified):0.00} ms, all replied {Distribution.Median(replied):0.00} ms");
        }
    }

    /// <summary>Timestamps of one broadcast at a time, shared by the caller's and the peers' reader threads.</summary>
    private sealed class FanOutState : IDisposable
    {
        private readonly Arrival _allReplied = new();
        private long[] _notified = [];
        private int _seq;
        private int _notifiedCount;
        private int _repliedCount;
        private int _size;
        private string? _unexpected;

        public void Resize(int size)
        {
            _size = size;
            _notified = new long[size];
        }

        public (double Notified, double Replied) BroadcastOnce(RawMcpPeer caller, int size)
        {
            var seq = Interlocked.Increment(ref _seq);
            Array.Clear(_notified);
            Volatile.Write(ref _notifiedCount, 0);
            Volatile.Write(ref _repliedCount, 0);
            var t0 = Stopwatch.GetTimestamp();
            caller.CallToolCounted("relay_broadcast", w => w.WriteString("question", Messages.Question(seq)));
            var done = _allReplied.Wait(TimeSpan.FromSeconds(30));
            if (done is null || Volatile.Read(ref _notifiedCount) != size)
            {
                throw new BenchFailure($"broadcast to {size}: {Volatile.Read(ref _notifiedCount)} notified, {Volatile.Read(ref _repliedCount)} replied within 30 s; caller errors {caller.ToolErrors} ({caller.LastToolError}); unexpected: {_unexpected ?? "none"}");
            }

            return (BenchContext.Ms(t0, _notified.Max()), BenchContext.Ms(t0, done.Value));
        }

        public void OnPeerPush(int index, RawMcpPeer peer, ChannelPush push)
        {
            if (!Messages.TryParse(push.Content, out var kind, out var seq) || kind != 'Q' || push["ask_id"] is not { } askId || index >= _size)
            {
                _unexpected = $"{peer.Name} got {push.Content[..Math.Min(80, push.Content.Length)]}";
                return;
            }

            _notified[index] = push.Timestamp;
            Interlocked.Increment(ref _notifiedCount);
            peer.CallToolCounted("relay_reply", w =>
            {
                w.WriteString("ask_id", askId);
                w.WriteString("text", Messages.Reply(seq));
            });
        }

        public void OnCallerPush(RawMcpPeer caller, ChannelPush push)
        {
            if (!Messages.TryParse(push.Content, out var kind, out var seq) || kind != 'R' || seq != Volatile.Read(ref _seq))
            {
                _unexpected = $"caller got {push.Content[..Math.Min(80, push.Content.Length)]}";
                return;
            }

            if (Interlocked.Increment(ref _repliedCount) == _size)
            {
                _allReplied.Arrived(push.Timestamp);
            }
        }

        public void Dispose() => _allReplied.Dispose();
    }
}
