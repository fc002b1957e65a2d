using System.Collections.Concurrent;
using System.Text;
using Relay.Inbox;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Inbox;

public sealed class InboxOutboxTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly ConcurrentQueue<(string Target, string Line)> _sent = new();

    private Task<(InboxDeliveryStatus, string?)> Record(string target, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        _sent.Enqueue((target, Encoding.UTF8.GetString(payload.Span)));
        return Task.FromResult<(InboxDeliveryStatus, string?)>((InboxDeliveryStatus.Delivered, null));
    }

    private static InboxMessage Message(int i) => new($"message {i}", "uds:/s/1-00000000.sock", MsgId: $"m{i}");

    [Fact]
    public async Task A_burst_of_30_goes_at_once_then_one_per_2_seconds()
    {
        await using var outbox = new InboxOutbox(_time, Record);
        var tasks = Enumerable.Range(0, 33).Select(i => outbox.SendAsync("/s/4709.sock", Message(i))).ToArray();

        await Task.WhenAll(tasks[..30]).WithTimeout();
        Assert.All(tasks[..30], t => Assert.Equal(InboxDeliveryStatus.Delivered, t.Result.Status));
        Assert.False(tasks[30].IsCompleted);
        Assert.Equal(3, outbox.WaitingFor("/s/4709.sock"));

        await _time.WaitForArmedTimersAsync(1);
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(tasks[30].IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("m30", (await tasks[30].WithTimeout()).MsgId);
        Assert.False(tasks[31].IsCompleted);

        await _time.WaitForArmedTimersAsync(1);
        _time.Advance(TimeSpan.FromSeconds(2));
        await tasks[31].WithTimeout();
        await _time.WaitForArmedTimersAsync(1);
        _time.Advance(TimeSpan.FromSeconds(2));
        await tasks[32].WithTimeout();

        // In order, every one of them, each line naming its msg_id.
        Assert.Equal(Enumerable.Range(0, 33).Select(i => $"\"msg_id\":\"m{i}\""), _sent.Select(s => s.Line[s.Line.IndexOf("\"msg_id\"", StringComparison.Ordinal)..(s.Line.IndexOf(",\"type\"", StringComparison.Ordinal))]));
    }

    [Fact]
    public async Task The_bucket_refills_while_idle()
    {
        await using var outbox = new InboxOutbox(_time, Record, burst: 3);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => outbox.SendAsync("/s/1.sock", Message(i)))).WithTimeout();
        _time.Advance(TimeSpan.FromSeconds(4));
        var two = Enumerable.Range(3, 2).Select(i => outbox.SendAsync("/s/1.sock", Message(i))).ToArray();
        await Task.WhenAll(two).WithTimeout();
        var third = outbox.SendAsync("/s/1.sock", Message(5));
        Assert.False(third.IsCompleted);
        Assert.Equal(1, outbox.WaitingFor("/s/1.sock"));
        await _time.WaitForArmedTimersAsync(1);
        _time.Advance(TimeSpan.FromSeconds(2));
        await third.WithTimeout();
    }

    [Fact]
    public async Task What_cannot_wait_is_reported_as_queue_full()
    {
        await using var outbox = new InboxOutbox(_time, Record, maxQueuedPerTarget: 2, burst: 1);
        var first = outbox.SendAsync("/s/1.sock", Message(0));
        var waiting = new[] { outbox.SendAsync("/s/1.sock", Message(1)), outbox.SendAsync("/s/1.sock", Message(2)) };
        var full = await outbox.SendAsync("/s/1.sock", Message(3)).WithTimeout();

        Assert.Equal(InboxDeliveryStatus.QueueFull, full.Status);
        Assert.Equal("m3", full.MsgId);
        Assert.NotNull(full.Error);
        Assert.Equal(InboxDeliveryStatus.Delivered, (await first.WithTimeout()).Status);
        Assert.All(waiting, t => Assert.False(t.IsCompleted));

        // Another target has its own budget.
        Assert.Equal(InboxDeliveryStatus.Delivered, (await outbox.SendAsync("/s/2.sock", Message(4)).WithTimeout()).Status);
    }

    [Fact]
    public async Task Dispose_reports_every_waiting_message_as_cancelled()
    {
        var outbox = new InboxOutbox(_time, Record, burst: 1);
        await outbox.SendAsync("/s/1.sock", Message(0)).WithTimeout();
        var waiting = Enumerable.Range(1, 3).Select(i => outbox.SendAsync("/s/1.sock", Message(i))).ToArray();
        await outbox.DisposeAsync().AsTask().WithTimeout();

        foreach (var task in waiting)
        {
            Assert.Equal(InboxDeliveryStatus.Cancelled, (await task.WithTimeout()).Status);
        }

        Assert.Equal(InboxDeliveryStatus.Cancelled, (await outbox.SendAsync("/s/1.sock", Message(9)).WithTimeout()).Status);
        Assert.Single(_sent);
    }

    [Fact]
    public async Task A_message_that_never_reached_the_receiver_gives_its_token_back()
    {
        var calls = 0;
        await using var outbox = new InboxOutbox(
            _time,
            (_, _, _) => Task.FromResult<(InboxDeliveryStatus, string?)>(Interlocked.Increment(ref calls) <= 2 ? (InboxDeliveryStatus.SocketMissing, "gone") : (InboxDeliveryStatus.Delivered, null)),
            burst: 2);

        Assert.Equal(InboxDeliveryStatus.SocketMissing, (await outbox.SendAsync("/s/1.sock", Message(0)).WithTimeout()).Status);
        Assert.Equal(InboxDeliveryStatus.SocketMissing, (await outbox.SendAsync("/s/1.sock", Message(1)).WithTimeout()).Status);
        Assert.Equal(InboxDeliveryStatus.Delivered, (await outbox.SendAsync("/s/1.sock", Message(2)).WithTimeout()).Status);
        Assert.Equal(InboxDeliveryStatus.Delivered, (await outbox.SendAsync("/s/1.sock", Message(3)).WithTimeout()).Status);
        Assert.False(outbox.SendAsync("/s/1.sock", Message(4)).IsCompleted);
    }

    [Fact]
    public async Task Too_large_is_reported_at_once_and_costs_nothing()
    {
        await using var outbox = new InboxOutbox(_time, Record, burst: 1);
        var big = await outbox.SendAsync("/s/1.sock", new InboxMessage(new string('x', InboxOutgoingLine.MaxLineBytes), null)).WithTimeout();
        Assert.Equal(InboxDeliveryStatus.TooLarge, big.Status);
        Assert.Equal(InboxDeliveryStatus.Delivered, (await outbox.SendAsync("/s/1.sock", Message(1)).WithTimeout()).Status);
        Assert.Single(_sent);
    }

    [Fact]
    public async Task A_cancelled_waiting_message_is_reported_when_its_turn_comes()
    {
        await using var outbox = new InboxOutbox(_time, Record, burst: 1);
        await outbox.SendAsync("/s/1.sock", Message(0)).WithTimeout();
        using var cts = new CancellationTokenSource();
        var cancelled = outbox.SendAsync("/s/1.sock", Message(1), cts.Token);
        var next = outbox.SendAsync("/s/1.sock", Message(2));
        await cts.CancelAsync();
        await _time.WaitForArmedTimersAsync(1);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(InboxDeliveryStatus.Cancelled, (await cancelled.WithTimeout()).Status);
        Assert.Equal(InboxDeliveryStatus.Delivered, (await next.WithTimeout()).Status);
        Assert.Equal(["m0", "m2"], _sent.Select(s => s.Line.Contains("\"m0\"", StringComparison.Ordinal) ? "m0" : "m2"));
    }
}
