using System.Text;
using System.Threading.Channels;
using NATS.Client.Core;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// Acknowledges the live envelopes this hub took, in batches: one message per sending host, listing the envelopes'
/// ids one per line, on <c>relay-ack.&lt;space&gt;.&lt;sending host&gt;.a.&lt;this host&gt;</c>, at most
/// <see cref="Delay"/> after the first of them was taken (sooner once <see cref="MaxBatch"/> are waiting). One message
/// for many envelopes is what makes the live path cheap under load; the delay is far below the sender's live timeout,
/// and an ask's round trip never waits for it (the envelope was handed to the router before it was acknowledged).
/// </summary>
internal sealed class LiveAckBatcher
{
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(2);

    public const int MaxBatch = 1024;

    private readonly string _space;
    private readonly string _host;
    private readonly Lock _gate = new();
    private readonly Channel<bool> _due = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Logger _log = RelayLog.For("hub");
    private Dictionary<string, List<string>> _waiting = new(StringComparer.Ordinal);
    private int _count;

    public LiveAckBatcher(string space, string host)
    {
        _space = space;
        _host = host;
    }

    /// <summary>The envelope <paramref name="id"/> from <paramref name="fromHost"/> was taken.</summary>
    public void Add(string fromHost, string id)
    {
        lock (_gate)
        {
            if (!_waiting.TryGetValue(fromHost, out var ids))
            {
                ids = [];
                _waiting[fromHost] = ids;
            }

            ids.Add(id);
            _count++;
        }

        _due.Writer.TryWrite(true);
    }

    /// <summary>Sends the batches until cancelled.</summary>
    public async Task RunAsync(INatsConnection connection, CancellationToken cancellationToken)
    {
        while (await _due.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Volatile.Read(ref _count) < MaxBatch)
            {
                await Task.Delay(Delay, cancellationToken).ConfigureAwait(false);
            }

            _due.Reader.TryRead(out _);

            Dictionary<string, List<string>> batches;
            lock (_gate)
            {
                batches = _waiting;
                _waiting = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                _count = 0;
            }

            foreach (var (toHost, ids) in batches)
            {
                for (var start = 0; start < ids.Count; start += MaxBatch)
                {
                    var body = Encoding.ASCII.GetBytes(string.Join('\n', ids.Skip(start).Take(MaxBatch)));
                    try
                    {
                        await connection.PublishAsync(NatsNames.LiveAcks(_space, toHost, _host), body, serializer: NatsRawSerializer<byte[]>.Default, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is NatsException or TimeoutException or IOException)
                    {
                        // Not acknowledged: the sender puts those envelopes in the stream, and this hub takes each
                        // ask once (RecentAsks).
                        _log.Event(LogLevel.Info, "nats_live_ack_failed", ("host", toHost), ("count", ids.Count), ("error", ex.Message));
                    }
                }
            }
        }
    }
}
