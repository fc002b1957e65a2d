using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Relay.Hub.Nats;

/// <summary>
/// The live envelopes this hub sent and has not heard about yet, by id. Each ends once: taken (the target host's hub
/// acknowledged it), or not (NATS said no hub of that host listens, the live timeout passed, or the hub stops), and
/// then the sender puts the envelope in the stream. Only the host an envelope went to can acknowledge it. Thread-safe:
/// the acknowledgement listener, the sweep and the senders all use it.
/// </summary>
internal sealed class LiveAttempts
{
    private readonly ConcurrentDictionary<string, Attempt> _open = new(StringComparer.Ordinal);
    private readonly Channel<bool> _opened = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public LiveAttempts(TimeProvider time, TimeSpan timeout)
    {
        _time = time;
        _timeout = timeout;
    }

    /// <summary>How often <see cref="Expire"/> should run: a quarter of the timeout, between 10 ms and 250 ms.</summary>
    public TimeSpan SweepEvery => TimeSpan.FromTicks(Math.Clamp(_timeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 250));

    public int Count => _open.Count;

    /// <summary>Opens the attempt <paramref name="id"/> to <paramref name="host"/>: true when taken, false otherwise.</summary>
    public Task<bool> Begin(string id, string host)
    {
        var attempt = new Attempt(host, _time.GetUtcNow() + _timeout);
        _open[id] = attempt;
        _opened.Writer.TryWrite(true);
        return attempt.Done.Task;
    }

    /// <summary>Returns once an attempt may be open (at once when one is), so that an idle hub's sweep sleeps.</summary>
    public async ValueTask WaitForOpenAsync(CancellationToken cancellationToken)
    {
        while (_open.IsEmpty)
        {
            await _opened.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><paramref name="fromHost"/> took <paramref name="id"/>; ignored unless that is where it went.</summary>
    public bool Acknowledge(string fromHost, string id)
    {
        if (!_open.TryGetValue(id, out var attempt) || attempt.Host != fromHost || !_open.TryRemove(new KeyValuePair<string, Attempt>(id, attempt)))
        {
            return false;
        }

        return attempt.Done.TrySetResult(true);
    }

    /// <summary>No hub of the target host listens (or the attempt could not be sent): the stream at once.</summary>
    public void Fail(string id)
    {
        if (_open.TryRemove(id, out var attempt))
        {
            attempt.Done.TrySetResult(false);
        }
    }

    /// <summary>Ends the attempts past their timeout as not taken; returns how many.</summary>
    public int Expire()
    {
        var now = _time.GetUtcNow();
        var expired = 0;
        foreach (var (id, attempt) in _open)
        {
            if (now >= attempt.Deadline && _open.TryRemove(new KeyValuePair<string, Attempt>(id, attempt)))
            {
                attempt.Done.TrySetResult(false);
                expired++;
            }
        }

        return expired;
    }

    /// <summary>Ends every open attempt as not taken (the hub stops).</summary>
    public void FailAll()
    {
        foreach (var id in _open.Keys)
        {
            Fail(id);
        }
    }

    private sealed class Attempt(string host, DateTimeOffset deadline)
    {
        public string Host { get; } = host;

        public DateTimeOffset Deadline { get; } = deadline;

        // Continuations run on whoever ends the attempt: they only count it and free its window place, or start the
        // stream publish (which does not block).
        public TaskCompletionSource<bool> Done { get; } = new();
    }
}
