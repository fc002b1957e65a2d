using System.Collections.Concurrent;
using System.Threading.Channels;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// The live envelopes this hub sent and has not heard about yet, by id. Each ends once: taken (the target host's hub
/// acknowledged it), or not (NATS said no hub of that host listens, the live timeout passed, or the hub stops), and
/// then the sender puts the envelope in the stream. Only the host an envelope went to can acknowledge it.
/// A host whose envelope timed out is <b>stalled</b> (stopped, overloaded, or cut off before the server noticed): from
/// then on one envelope at a time goes to it live, as a probe, and the others go straight to the stream instead of each
/// waiting out the live timeout (and holding a place in the publisher's window meanwhile); any acknowledgement from
/// that host ends the stall. Thread-safe: the acknowledgement listener, the sweep and the senders all use it.
/// </summary>
internal sealed class LiveAttempts
{
    private readonly ConcurrentDictionary<string, Attempt> _open = new(StringComparer.Ordinal);
    private readonly Channel<bool> _opened = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly Lock _stallGate = new();
    private readonly Dictionary<string, string?> _stalled = new(StringComparer.Ordinal);
    private readonly Logger _log = RelayLog.For("hub");
    private volatile int _stalledCount;

    public LiveAttempts(TimeProvider time, TimeSpan timeout)
    {
        _time = time;
        _timeout = timeout;
    }

    /// <summary>How often <see cref="Expire"/> should run: a quarter of the timeout, between 10 ms and 250 ms.</summary>
    public TimeSpan SweepEvery => TimeSpan.FromTicks(Math.Clamp(_timeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 250));

    public int Count => _open.Count;

    /// <summary>Hosts stalled now (see the summary).</summary>
    public int StalledHosts => _stalledCount;

    /// <summary>Opens the attempt <paramref name="id"/> to <paramref name="host"/>: true when taken, false otherwise.</summary>
    public Task<bool> Begin(string id, string host) => TryBegin(id, host) ?? Task.FromResult(false);

    /// <summary>
    /// Opens the attempt <paramref name="id"/> to <paramref name="host"/> like <see cref="Begin"/>, or returns null when
    /// that host is stalled and its probe is still out: the envelope goes to the stream without a live attempt.
    /// </summary>
    public Task<bool>? TryBegin(string id, string host)
    {
        if (_stalledCount > 0)
        {
            lock (_stallGate)
            {
                if (_stalled.TryGetValue(host, out var probe))
                {
                    if (probe is not null)
                    {
                        return null;
                    }

                    _stalled[host] = id;
                }
            }
        }

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
        if (_stalledCount > 0)
        {
            Unstall(fromHost);
        }

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
            EndProbe(attempt.Host, id, stalled: false);
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
                EndProbe(attempt.Host, id, stalled: true);
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

        lock (_stallGate)
        {
            _stalled.Clear();
            _stalledCount = 0;
        }
    }

    /// <summary>
    /// The attempt <paramref name="id"/> to <paramref name="host"/> ended untaken: the host is stalled when it timed out
    /// (<paramref name="stalled"/>), and a probe that ended leaves room for the next.
    /// </summary>
    private void EndProbe(string host, string id, bool stalled)
    {
        if (!stalled && _stalledCount == 0)
        {
            return;
        }

        lock (_stallGate)
        {
            if (_stalled.TryGetValue(host, out var probe))
            {
                if (probe == id)
                {
                    _stalled[host] = null;
                }
            }
            else if (stalled)
            {
                _stalled[host] = null;
                _stalledCount = _stalled.Count;
                _log.Event(LogLevel.Info, "nats_live_stalled", ("host", host), ("timeout_ms", (long)_timeout.TotalMilliseconds));
            }
        }
    }

    private void Unstall(string host)
    {
        lock (_stallGate)
        {
            if (_stalled.Remove(host))
            {
                _stalledCount = _stalled.Count;
                _log.Event(LogLevel.Info, "nats_live_back", ("host", host));
            }
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
