using System.Diagnostics;
using System.Text;
using NATS.Client.Core;
using Relay.Bench.Infra;
using Relay.Bench.Results;

namespace Relay.Bench.Scenarios;

/// <summary>
/// The NATS floors of the cross-host figures: NATS.Net core request/reply (256 bytes each way) between a requester
/// and a responder on two connections to the same server, sequential round trips and requests/s with a number of
/// requests outstanding. The responder answers every request at once, in order.
/// </summary>
internal sealed class NatsFloor : IDisposable
{
    private const string Subject = "bench.floor";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly byte[] _request = Encoding.UTF8.GetBytes(Messages.Question(0));
    private readonly NatsConnection _responder;
    private readonly NatsConnection _requester;
    private readonly INatsSub<byte[]> _sub;
    private readonly Task _serving;

    private NatsFloor(NatsConnection responder, NatsConnection requester, INatsSub<byte[]> sub, Task serving)
    {
        _responder = responder;
        _requester = requester;
        _sub = sub;
        _serving = serving;
    }

    /// <summary>Connects the responder (subscribed and flushed) and the requester to <paramref name="url"/>.</summary>
    public static NatsFloor Connect(string url) => Task.Run(async () =>
    {
        var reply = Encoding.UTF8.GetBytes(Messages.Reply(0));
        var responder = new NatsConnection(new NatsOpts { Url = url, Name = "bench-responder" });
        await responder.ConnectAsync();
        var sub = await responder.SubscribeCoreAsync<byte[]>(Subject);
        var serving = Task.Run(async () =>
        {
            await foreach (var msg in sub.Msgs.ReadAllAsync())
            {
                await msg.ReplyAsync(reply);
            }
        });
        await responder.PingAsync();
        var requester = new NatsConnection(new NatsOpts { Url = url, Name = "bench-requester" });
        await requester.ConnectAsync();
        return new NatsFloor(responder, requester, sub, serving);
    }).GetAwaiter().GetResult();

    /// <summary><paramref name="warmup"/> + <paramref name="count"/> requests one after the other; the round trips of the last <paramref name="count"/>.</summary>
    public Distribution RoundTrips(int warmup, int count) => Task.Run(async () =>
    {
        var samples = new List<double>(count);
        for (var i = 0; i < warmup + count; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await RequestAsync();
            var t1 = Stopwatch.GetTimestamp();
            if (i >= warmup)
            {
                samples.Add(BenchContext.Ms(t0, t1));
            }
        }

        return Distribution.Of(samples);
    }).GetAwaiter().GetResult();

    /// <summary>
    /// Requests/s with <paramref name="outstanding"/> requests outstanding: as many requesters each send the next
    /// request when the answer to its last is in. The first <paramref name="warmup"/> answers are not counted; the
    /// window starts after them, and the requests still in flight when it closes are drained, not counted.
    /// </summary>
    public double Throughput(int outstanding, int warmup, TimeSpan window) => Task.Run(async () =>
    {
        long answered = 0;
        var open = true;
        var loops = Enumerable.Range(0, outstanding).Select(_ => Task.Run(async () =>
        {
            while (Volatile.Read(ref open))
            {
                await RequestAsync();
                Interlocked.Increment(ref answered);
            }
        })).ToList();
        var warmBy = DateTime.UtcNow + RequestTimeout;
        while (Interlocked.Read(ref answered) < warmup && DateTime.UtcNow < warmBy && !loops.Any(l => l.IsCompleted))
        {
            await Task.Delay(1);
        }

        var before = Interlocked.Read(ref answered);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var done = Interlocked.Read(ref answered) - before;
        var elapsed = clock.Elapsed;
        Volatile.Write(ref open, false);
        await Task.WhenAll(loops).WaitAsync(RequestTimeout * 2);
        return done / elapsed.TotalSeconds;
    }).GetAwaiter().GetResult();

    public void Dispose() => Task.Run(async () =>
    {
        await _sub.UnsubscribeAsync();
        await _serving.WaitAsync(TimeSpan.FromSeconds(5));
        await _sub.DisposeAsync();
        await _requester.DisposeAsync();
        await _responder.DisposeAsync();
    }).GetAwaiter().GetResult();

    private async Task RequestAsync()
    {
        var answer = await _requester.RequestAsync<byte[], byte[]>(Subject, _request).AsTask().WaitAsync(RequestTimeout);
        if (answer.Data is not { Length: Messages.Size })
        {
            throw new BenchFailure($"crosshost: NATS request/reply answered {answer.Data?.Length ?? 0} bytes");
        }
    }
}
