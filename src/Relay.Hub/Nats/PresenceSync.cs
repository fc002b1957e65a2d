using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// Presence in the space's Key/Value bucket. Outbound: every local peer is a key <c>&lt;host&gt;.&lt;name&gt;</c>,
/// put again every third of the TTL and at once when the local peers change; keys of peers that left are deleted.
/// Inbound: a watch turns other hosts' keys into <see cref="RemotePeer"/>s, and a sweep removes those not refreshed
/// within the TTL while this hub's own heartbeat still comes back (so a host cut off from NATS loses its peers on the
/// other hosts within TTL plus a quarter), and not during a blip that silences everyone, this hub included (a NATS
/// node lost, a leader election): see <see cref="PresenceLiveness"/>. Expiry is judged here, on this hub's clock,
/// from the entry's age when it arrives, so no server TTL feature is needed.
/// </summary>
internal sealed class PresenceSync : IDisposable
{
    private readonly Router _router;
    private readonly NatsSettings _settings;
    private readonly IBridgeSender _sender;
    private readonly Logger _log = RelayLog.For("hub");
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly Lock _seenGate = new();
    private readonly PresenceLiveness _liveness;
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
    private readonly Queue<long> _skewSamples = new();
    private long _lastWatchEventTicks;

    public PresenceSync(Router router, NatsSettings settings, IBridgeSender sender)
    {
        _router = router;
        _settings = settings;
        _sender = sender;
        _liveness = new PresenceLiveness(settings.PresenceTtl);
    }

    private TimeSpan Heartbeat => _settings.PresenceTtl / 3;

    /// <summary>This hub's clock minus the NATS server's (transit included), from its own heartbeats; null before the first.</summary>
    public long? ClockSkewMs
    {
        get
        {
            lock (_seenGate)
            {
                return _skewSamples.Count == 0 ? null : _skewSamples.Min();
            }
        }
    }

    /// <summary>The local peers changed: publish now (non-blocking; safe under the router lock).</summary>
    public void Poke()
    {
        try
        {
            _changed.Release();
        }
        catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Publishes this host's peers until cancelled.</summary>
    public async Task HeartbeatAsync(INatsKVStore store, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PublishOnceAsync(store, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or IOException)
            {
                _log.Event(LogLevel.Debug, "nats_presence_put_failed", ("error", ex.Message));
            }

            await _changed.WaitAsync(Heartbeat, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _changed.Dispose();

    /// <summary>Deletes this host's keys (hub shutdown), best effort.</summary>
    public async Task WithdrawAsync(INatsKVStore store, CancellationToken cancellationToken)
    {
        foreach (var key in _published.ToList())
        {
            await store.DeleteAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PublishOnceAsync(INatsKVStore store, CancellationToken cancellationToken)
    {
        // The hub's own key (no dot, so no peer): keeps every watch of the bucket lively even with no peers here.
        await store.PutAsync(_settings.Host, "{}"u8.ToArray(), NatsRawSerializer<byte[]>.Default, cancellationToken).ConfigureAwait(false);
        _published.Add(_settings.Host);
        var records = _router.LocalPresence(_settings.Host);
        var keys = new HashSet<string>(StringComparer.Ordinal) { _settings.Host };
        foreach (var record in records)
        {
            var key = NatsNames.PresenceKey(_settings.Host, record.Name);
            keys.Add(key);
            await store.PutAsync(key, JsonSerializer.SerializeToUtf8Bytes(record, NatsJsonContext.Default.PresenceRecord), NatsRawSerializer<byte[]>.Default, cancellationToken).ConfigureAwait(false);
            _published.Add(key);
        }

        foreach (var key in _published.ToList())
        {
            if (!keys.Contains(key))
            {
                await store.DeleteAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
                _published.Remove(key);
            }
        }
    }

    /// <summary>Watches the bucket until cancelled; restarts a watch that ends, fails, or goes quiet past the TTL.</summary>
    public async Task WatchAsync(INatsKVStore store, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Interlocked.Exchange(ref _lastWatchEventTicks, DateTimeOffset.UtcNow.UtcTicks);
            var guard = GuardAsync(quiet, cancellationToken);
            try
            {
                await foreach (var entry in store.WatchAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: quiet.Token).ConfigureAwait(false))
                {
                    Interlocked.Exchange(ref _lastWatchEventTicks, DateTimeOffset.UtcNow.UtcTicks);
                    OnEntry(entry);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _log.Event(LogLevel.Debug, "nats_presence_watch_restart", ("reason", "quiet"));
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or IOException)
            {
                _log.Event(LogLevel.Info, "nats_presence_watch_restart", ("reason", ex.Message));
            }

            await quiet.CancelAsync().ConfigureAwait(false);
            await guard.ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Our own heartbeat passes through the watch too, so a watch silent for a whole TTL is stuck.</summary>
    private async Task GuardAsync(CancellationTokenSource quiet, CancellationToken cancellationToken)
    {
        try
        {
            while (!quiet.IsCancellationRequested)
            {
                await Task.Delay(Heartbeat, quiet.Token).ConfigureAwait(false);
                var last = new DateTimeOffset(Interlocked.Read(ref _lastWatchEventTicks), TimeSpan.Zero);
                if (DateTimeOffset.UtcNow - last > _settings.PresenceTtl && !cancellationToken.IsCancellationRequested)
                {
                    await quiet.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnEntry(NatsKVEntry<byte[]> entry)
    {
        if (entry.Key == _settings.Host)
        {
            if (entry.Operation == NatsKVOperation.Put)
            {
                var ownAge = entry.Created == default ? TimeSpan.Zero : DateTimeOffset.UtcNow - entry.Created;
                lock (_seenGate)
                {
                    _liveness.OwnHeard(DateTimeOffset.UtcNow - (ownAge > TimeSpan.Zero ? ownAge : TimeSpan.Zero));
                    if (entry.Created != default)
                    {
                        // Our clock at arrival minus the server's at write: the skew plus transit. Transit only adds,
                        // so the smallest of the recent samples is the best estimate.
                        _skewSamples.Enqueue((long)ownAge.TotalMilliseconds);
                        if (_skewSamples.Count > 8)
                        {
                            _skewSamples.Dequeue();
                        }
                    }
                }
            }

            return;
        }

        if (!NatsNames.TrySplitKey(entry.Key, out var host, out var name) || host == _settings.Host)
        {
            return;
        }

        var address = PeerAddress.Format(name, host);
        if (entry.Operation != NatsKVOperation.Put || entry.Value is null)
        {
            Forget(address);
            _router.RemoveRemote(address, "left");
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var age = entry.Created == default ? TimeSpan.Zero : now - entry.Created;
        if (age > _settings.PresenceTtl)
        {
            return;
        }

        PresenceRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(entry.Value, NatsJsonContext.Default.PresenceRecord);
        }
        catch (JsonException)
        {
            return;
        }

        if (record is null || record.Name != name || record.Host != host || !Relay.Protocol.PeerNames.IsValid(name))
        {
            return;
        }

        lock (_seenGate)
        {
            _liveness.Heard(address, now - (age > TimeSpan.Zero ? age : TimeSpan.Zero));
        }

        _router.UpsertRemote(record, _sender);
    }

    private void Forget(string address)
    {
        lock (_seenGate)
        {
            _liveness.Forget(address);
        }
    }

    /// <summary>Removes remote peers whose presence expired (<see cref="PresenceLiveness"/>), until cancelled.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(100, _settings.PresenceTtl.TotalMilliseconds / 4));
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            foreach (var address in _router.RemoteAddresses())
            {
                bool stale;
                lock (_seenGate)
                {
                    stale = _liveness.Expire(address, now);
                }

                if (stale)
                {
                    _router.RemoveRemote(address, "presence expired");
                }
            }
        }
    }
}
