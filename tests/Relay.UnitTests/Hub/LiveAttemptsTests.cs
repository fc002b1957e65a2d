using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using Relay.Hub.Nats;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>The sending side of the live path: each envelope ends once, taken or not, and only its target host can say it was taken.</summary>
public sealed class LiveAttemptsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public void An_acknowledgement_from_the_target_host_ends_the_attempt_as_taken()
    {
        var attempts = new LiveAttempts(new FakeTimeProvider(), Timeout);
        var taken = attempts.Begin("id1", "hb");
        Assert.False(attempts.Acknowledge("hc", "id1"));
        Assert.Null(Outcome(taken));
        Assert.True(attempts.Acknowledge("hb", "id1"));
        Assert.True(Outcome(taken));
        Assert.False(attempts.Acknowledge("hb", "id1"));
        Assert.Equal(0, attempts.Count);
    }

    [Fact]
    public void An_attempt_nobody_acknowledges_ends_as_not_taken_at_its_timeout_and_a_late_acknowledgement_changes_nothing()
    {
        var time = new FakeTimeProvider();
        var attempts = new LiveAttempts(time, Timeout);
        var first = attempts.Begin("id1", "hb");
        time.Advance(TimeSpan.FromMilliseconds(500));
        var second = attempts.Begin("id2", "hb");
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(0, attempts.Expire());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, attempts.Expire());
        Assert.False(Outcome(first));
        Assert.Null(Outcome(second));
        Assert.False(attempts.Acknowledge("hb", "id1"));
        Assert.True(attempts.Acknowledge("hb", "id2"));
        Assert.True(Outcome(second));
    }

    [Fact]
    public void No_responders_and_stopping_end_attempts_as_not_taken()
    {
        var attempts = new LiveAttempts(new FakeTimeProvider(), Timeout);
        var gone = attempts.Begin("id1", "hb");
        var open = attempts.Begin("id2", "hc");
        attempts.Fail("id1");
        Assert.False(Outcome(gone));
        attempts.FailAll();
        Assert.False(Outcome(open));
        Assert.Equal(0, attempts.Count);
    }

    [Fact]
    public void A_host_whose_envelope_timed_out_gets_one_live_probe_at_a_time_until_it_acknowledges_again()
    {
        var time = new FakeTimeProvider();
        var attempts = new LiveAttempts(time, Timeout);
        var first = attempts.Begin("id1", "hb");
        time.Advance(Timeout);
        Assert.Equal(1, attempts.Expire());
        Assert.False(Outcome(first));
        Assert.Equal(1, attempts.StalledHosts);

        // Stalled: the next envelope is the probe, the ones after it go to the stream without a live attempt, and
        // other hosts are not touched.
        var probe = attempts.TryBegin("id2", "hb");
        Assert.NotNull(probe);
        Assert.Null(attempts.TryBegin("id3", "hb"));
        Assert.NotNull(attempts.TryBegin("id4", "hc"));
        Assert.False(Outcome(attempts.Begin("id5", "hb")));

        // The probe times out too (and so does hc's envelope: hc is stalled now as well): hb is still stalled, and
        // its next envelope is the new probe.
        time.Advance(Timeout);
        Assert.Equal(2, attempts.Expire());
        Assert.False(Outcome(probe!));
        Assert.Equal(2, attempts.StalledHosts);
        var second = attempts.TryBegin("id6", "hb");
        Assert.NotNull(second);
        Assert.Null(attempts.TryBegin("id7", "hb"));

        // NATS says no responders for the probe: it ends, the host stays stalled, and the next one probes.
        attempts.Fail("id6");
        Assert.False(Outcome(second!));
        var third = attempts.TryBegin("id8", "hb");
        Assert.NotNull(third);

        // An acknowledgement from hb ends the stall: every envelope goes live again.
        Assert.True(attempts.Acknowledge("hb", "id8"));
        Assert.True(Outcome(third!));
        Assert.Equal(1, attempts.StalledHosts);
        Assert.NotNull(attempts.TryBegin("id9", "hb"));
        Assert.NotNull(attempts.TryBegin("id10", "hb"));
    }

    [Fact]
    public void A_late_acknowledgement_from_a_stalled_host_ends_its_stall_and_stopping_forgets_stalls()
    {
        var time = new FakeTimeProvider();
        var attempts = new LiveAttempts(time, Timeout);
        _ = attempts.Begin("id1", "hb");
        _ = attempts.Begin("id2", "hc");
        time.Advance(Timeout);
        Assert.Equal(2, attempts.Expire());
        Assert.Equal(2, attempts.StalledHosts);

        // The batch naming id1 came after its timeout: it no longer counts as taken, but hb is back.
        Assert.False(attempts.Acknowledge("hb", "id1"));
        Assert.Equal(1, attempts.StalledHosts);
        attempts.FailAll();
        Assert.Equal(0, attempts.StalledHosts);
        Assert.NotNull(attempts.TryBegin("id3", "hc"));
        Assert.NotNull(attempts.TryBegin("id4", "hc"));
    }

    [Fact]
    public async Task The_sweep_waits_while_nothing_is_open()
    {
        var attempts = new LiveAttempts(new FakeTimeProvider(), Timeout);
        var idle = attempts.WaitForOpenAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(idle.IsCompleted);
        _ = attempts.Begin("id1", "hb");
        await idle.WaitAsync(TimeSpan.FromSeconds(5));

        // Still open: no wait.
        Assert.True(attempts.WaitForOpenAsync(CancellationToken.None).AsTask().IsCompleted);
        attempts.Fail("id1");
        var again = attempts.WaitForOpenAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(again.IsCompleted);
        _ = attempts.Begin("id2", "hb");
        await again.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(1000, 250)]
    [InlineData(20, 10)]
    [InlineData(60_000, 250)]
    [InlineData(200, 50)]
    public void The_sweep_runs_at_a_quarter_of_the_timeout_within_bounds(int timeoutMs, int sweepMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(sweepMs), new LiveAttempts(new FakeTimeProvider(), TimeSpan.FromMilliseconds(timeoutMs)).SweepEvery);

    [Fact]
    public void The_listener_takes_batches_of_acknowledgements_and_no_responders_by_subject()
    {
        var attempts = new LiveAttempts(new FakeTimeProvider(), Timeout);
        var listener = new LiveAckListener(attempts, "team", "ha");
        var a = attempts.Begin("aaaa", "hb");
        var b = attempts.Begin("bbbb", "hb");
        var c = attempts.Begin("cccc", "hc");
        var d = attempts.Begin("dddd", "hb");

        // A batch from hb names two of its envelopes and one of hc's: only hb's are taken.
        listener.Take("relay-ack.team.ha.a.hb", new ReadOnlySequence<byte>("aaaa\nbbbb\ncccc\n"u8.ToArray()), noResponders: false);
        Assert.True(Outcome(a));
        Assert.True(Outcome(b));
        Assert.Null(Outcome(c));

        // A reply subject without NATS's no-responders status is not an answer; with it, the envelope goes to the stream.
        listener.Take("relay-ack.team.ha.r.dddd", ReadOnlySequence<byte>.Empty, noResponders: false);
        Assert.Null(Outcome(d));
        listener.Take("relay-ack.team.ha.r.dddd", ReadOnlySequence<byte>.Empty, noResponders: true);
        Assert.False(Outcome(d));

        // Subjects of another shape change nothing.
        listener.Take("relay-ack.team.ha.x.hc", new ReadOnlySequence<byte>("cccc"u8.ToArray()), noResponders: false);
        listener.Take("relay-ack.team.ha.a", new ReadOnlySequence<byte>("cccc"u8.ToArray()), noResponders: false);
        Assert.Null(Outcome(c));
        listener.Take("relay-ack.team.ha.a.hc", new ReadOnlySequence<byte>("cccc"u8.ToArray()), noResponders: false);
        Assert.True(Outcome(c));
    }

    [Theory]
    [InlineData("NATS/1.0 503\r\n\r\n", true)]
    [InlineData("NATS/1.0 503", true)]
    [InlineData("NATS/1.0 503 No Responders\r\n\r\n", true)]
    [InlineData("NATS/1.0 5030\r\n\r\n", false)]
    [InlineData("NATS/1.0 408 Request Timeout\r\n\r\n", false)]
    [InlineData("NATS/1.0\r\nNats-Msg-Id: x\r\n\r\n", false)]
    [InlineData("", false)]
    public void No_responders_is_told_by_its_status_line(string headers, bool expected)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(headers);

        // NATS.Net may hand the headers over in pieces.
        var split = bytes.Length / 2;
        var first = new Segment(bytes.AsMemory(0, split));
        var last = first.Append(bytes.AsMemory(split));
        Assert.Equal(expected, InlineSubscription.IsNoResponders(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length)));
        Assert.Equal(expected, InlineSubscription.IsNoResponders(new ReadOnlySequence<byte>(bytes)));
        Assert.False(InlineSubscription.IsNoResponders(null));
    }

    /// <summary>True or false once the attempt ended, null while it is open.</summary>
    private static bool? Outcome(Task<bool> attempt) => attempt.IsCompletedSuccessfully ? attempt.Result : null;

    [Theory]
    [InlineData("relay-ack.team.ha.a.hb", true, 'a', "hb")]
    [InlineData("relay-ack.team.ha.r.0123abcd", true, 'r', "0123abcd")]
    [InlineData("relay-ack.team.ha.q.hb", false, '\0', "")]
    [InlineData("relay-live.team.ha.a.hb", false, '\0', "")]
    [InlineData("relay-ack.team.ha.a.h*b", false, '\0', "")]
    public void Acknowledgement_subjects_split_into_kind_and_token(string subject, bool ok, char kind, string token)
    {
        Assert.Equal(ok, NatsNames.TrySplitAck(subject, out var k, out var t));
        Assert.Equal((kind, token), (k, t));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
