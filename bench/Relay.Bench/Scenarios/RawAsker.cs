using System.Diagnostics;
using System.Globalization;
using Relay.Bench.Infra;
using Relay.Bench.Results;
using Relay.Protocol.Messages;

namespace Relay.Bench.Scenarios;

/// <summary>
/// The asking side of a raw-socket scenario (<see cref="RawHubPeer"/>, no MCP): sequential round trips, then a window
/// with <see cref="BenchOptions.Outstanding"/> asks outstanding. Ask ids are a prefix letter and a sequence number
/// below <see cref="MaxTracked"/> (<see cref="SeqOf"/> reads it back) so an answering peer can record per-ask times.
/// </summary>
internal sealed class RawAsker : IDisposable
{
    public const int MaxTracked = 1 << 16;

    private readonly string _label;
    private readonly string _idPrefix;
    private readonly Arrival _replied = new();
    private readonly ManualResetEventSlim _drained = new(false, spinCount: 0);
    private bool _pipelined;
    private bool _windowOpen;
    private int _completed;
    private int _inFlight;
    private int _nextSeq;
    private string _to = "";

    /// <param name="label">Names the scenario in failure messages.</param>
    /// <param name="idPrefix">One letter that starts every ask id.</param>
    public RawAsker(string label, string idPrefix)
    {
        _label = label;
        _idPrefix = idPrefix;
    }

    /// <summary>The sequence number in an ask id this asker made.</summary>
    public static int SeqOf(string askId) => int.Parse(askId.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture) % MaxTracked;

    /// <summary>The asking peer's message handler: counts incoming_reply, ignores everything else.</summary>
    public void OnMessage(RawHubPeer peer, ServerMessage message, long timestamp)
    {
        if (message is not IncomingReplyMessage)
        {
            return;
        }

        if (!Volatile.Read(ref _pipelined))
        {
            _replied.Arrived(timestamp);
            return;
        }

        Interlocked.Increment(ref _completed);
        if (Volatile.Read(ref _windowOpen))
        {
            Send(peer, Interlocked.Increment(ref _nextSeq) % MaxTracked);
        }
        else if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            _drained.Set();
        }
    }

    /// <summary>
    /// <paramref name="warmup"/> + <paramref name="count"/> asks one after the other; the round trips of the last
    /// <paramref name="count"/>. <paramref name="measured"/> (sequence number, send timestamp) is called for each of
    /// those once its reply is in.
    /// </summary>
    public Distribution Sequential(RawHubPeer peer, string to, int warmup, int count, Func<string> errors, Action<int, long>? measured = null)
    {
        _to = to;
        var samples = new List<double>(count);
        for (var i = 0; i < warmup + count; i++)
        {
            var seq = Interlocked.Increment(ref _nextSeq) % MaxTracked;
            var t0 = Stopwatch.GetTimestamp();
            Send(peer, seq);
            var t1 = _replied.Wait(TimeSpan.FromSeconds(10)) ?? throw new BenchFailure($"{_label}: no incoming_reply for ask {seq} to {to}; {errors()}");
            if (i >= warmup)
            {
                samples.Add(BenchContext.Ms(t0, t1));
                measured?.Invoke(seq, t0);
            }
        }

        return Distribution.Of(samples);
    }

    /// <summary>Asks/s: every reply sends the next ask while the window is open; the in-flight count drains after it.</summary>
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
        if (!_drained.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new BenchFailure($"{_label}: asks to {to} did not drain; {errors()}");
        }

        return done / elapsed.TotalSeconds;
    }

    public void Dispose()
    {
        _replied.Dispose();
        _drained.Dispose();
    }

    private void Send(RawHubPeer peer, int seq) => peer.Send(new AskMessage { To = _to, AskId = _idPrefix + seq.ToString(CultureInfo.InvariantCulture), Question = Messages.Question(seq) });
}
