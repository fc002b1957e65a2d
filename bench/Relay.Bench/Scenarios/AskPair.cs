using System.Diagnostics;
using Relay.Bench.Infra;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Two channels, A asking B. B's client answers every question the moment its push arrives (on its reader thread, as
/// fast as a client can), so the figures are relay's: A's relay_ask written → B's push read (one-way) → B's
/// relay_reply written → A's reply push read (round trip).
/// </summary>
internal sealed class AskPair : IDisposable
{
    private const int MaxTracked = 1 << 16;

    private readonly RawMcpPeer _asker;
    private readonly RawMcpPeer _target;
    private readonly long[] _sent = new long[MaxTracked];
    private readonly long[] _notified = new long[MaxTracked];
    private readonly long[] _replied = new long[MaxTracked];
    private readonly Arrival _replyArrived = new();
    private readonly ManualResetEventSlim _drained = new(false, spinCount: 0);
    private int _nextSeq;
    private int _completed;
    private int _sentCount;
    private int _sendLimit;
    private volatile bool _pipelined;
    private volatile bool _windowOpen;
    private string? _unexpected;

    public AskPair(RawMcpPeer asker, RawMcpPeer target)
    {
        _asker = asker;
        _target = target;
        _target.OnPush = OnTargetPush;
        _asker.OnPush = OnAskerPush;
    }

    /// <summary>Sequential asks; returns (one-way ms, round-trip ms) per ask.</summary>
    public (List<double> OneWay, List<double> RoundTrip) Sequential(int count)
    {
        var oneWay = new List<double>(count);
        var roundTrip = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var seq = Interlocked.Increment(ref _nextSeq) % MaxTracked;
            _notified[seq] = 0;
            var t0 = Stopwatch.GetTimestamp();
            _sent[seq] = t0;
            SendAsk(seq);
            if (_replyArrived.Wait(TimeSpan.FromSeconds(10)) is null)
            {
                throw new BenchFailure($"no reply to ask {seq} within 10 s: {Diagnose()}");
            }

            oneWay.Add(BenchContext.Ms(t0, _notified[seq]));
            roundTrip.Add(BenchContext.Ms(t0, _replied[seq]));
        }

        CheckErrors();
        return (oneWay, roundTrip);
    }

    /// <summary>
    /// Keeps <paramref name="outstanding"/> asks in flight (a new one as each reply arrives) for <paramref name="window"/>,
    /// or until <paramref name="total"/> asks are sent. Returns the round trips completed inside the window (or the
    /// total) and the time it took.
    /// </summary>
    public (int Completed, TimeSpan Elapsed) Pipelined(int outstanding, TimeSpan? window, int total = int.MaxValue)
    {
        _completed = 0;
        _sentCount = 0;
        _sendLimit = total;
        _drained.Reset();
        _windowOpen = true;
        _pipelined = true;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Math.Min(outstanding, total); i++)
        {
            SendNextPipelined();
        }

        var completed = total;
        var elapsed = TimeSpan.Zero;
        if (window is { } w)
        {
            Thread.Sleep(w);
            completed = Volatile.Read(ref _completed);
            elapsed = clock.Elapsed;
            _windowOpen = false;
            if (Volatile.Read(ref _completed) == Volatile.Read(ref _sentCount))
            {
                _drained.Set();
            }
        }

        if (!_drained.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new BenchFailure($"pipelined asks did not drain: {Volatile.Read(ref _completed)} of {Volatile.Read(ref _sentCount)} replies; {Diagnose()}");
        }

        if (window is null)
        {
            elapsed = clock.Elapsed;
        }

        _pipelined = false;
        CheckErrors();
        return (completed, elapsed);
    }

    private void SendNextPipelined()
    {
        if (Interlocked.Increment(ref _sentCount) > _sendLimit)
        {
            Interlocked.Decrement(ref _sentCount);
            return;
        }

        SendAsk(Interlocked.Increment(ref _nextSeq) % MaxTracked);
    }

    private void SendAsk(int seq) => _asker.CallToolCounted("relay_ask", w =>
    {
        w.WriteString("to", _target.Name);
        w.WriteString("question", Messages.Question(seq));
    });

    private void OnTargetPush(RawMcpPeer peer, ChannelPush push)
    {
        if (!Messages.TryParse(push.Content, out var kind, out var seq) || kind != 'Q' || push["ask_id"] is not { } askId)
        {
            _unexpected = "B got: " + push.Content[..Math.Min(120, push.Content.Length)] + " " + string.Join(',', push.Meta);
            return;
        }

        _notified[seq] = push.Timestamp;
        peer.CallToolCounted("relay_reply", w =>
        {
            w.WriteString("ask_id", askId);
            w.WriteString("text", Messages.Reply(seq));
        });
    }

    private void OnAskerPush(RawMcpPeer peer, ChannelPush push)
    {
        if (!Messages.TryParse(push.Content, out var kind, out var seq) || kind != 'R')
        {
            _unexpected = "A got: " + push.Content[..Math.Min(120, push.Content.Length)] + " " + string.Join(',', push.Meta);
            return;
        }

        _replied[seq] = push.Timestamp;
        if (!_pipelined)
        {
            _replyArrived.Arrived(push.Timestamp);
            return;
        }

        var completed = Interlocked.Increment(ref _completed);
        if (_windowOpen && Volatile.Read(ref _sentCount) < _sendLimit)
        {
            SendNextPipelined();
        }
        else if (completed == Volatile.Read(ref _sentCount))
        {
            _drained.Set();
        }
    }

    private string Diagnose() =>
        $"asker errors {_asker.ToolErrors} ({_asker.LastToolError}), target errors {_target.ToolErrors} ({_target.LastToolError}), " +
        $"unexpected push: {_unexpected ?? "none"}; asker exited {_asker.Process.HasExited}, target exited {_target.Process.HasExited}";

    private void CheckErrors()
    {
        if (_asker.ToolErrors > 0 || _target.ToolErrors > 0)
        {
            throw new BenchFailure("tool calls failed: " + Diagnose());
        }
    }

    public void Dispose()
    {
        _replyArrived.Dispose();
        _drained.Dispose();
    }
}
