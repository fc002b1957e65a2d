using System.Buffers;
using System.Text;
using NATS.Client.Core;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// The sending side of the live path: a core NATS subscription (handled on NATS.Net's reader,
/// <see cref="InlineSubscription"/>) to <c>relay-ack.&lt;space&gt;.&lt;host&gt;.&gt;</c>,
/// where other hosts' hubs acknowledge this hub's live envelopes in batches and where NATS says "no responders" for
/// an envelope no hub took; both end attempts in <see cref="LiveAttempts"/>. A sweep ends the attempts past the live
/// timeout. <see cref="Ready"/> turns true once subscribed: live envelopes wait for it (before, they go to the stream).
/// </summary>
internal sealed class LiveAckListener
{
    private readonly LiveAttempts _attempts;
    private readonly string _filter;
    private readonly Logger _log = RelayLog.For("hub");
    private volatile bool _ready;

    public LiveAckListener(LiveAttempts attempts, string space, string host)
    {
        _attempts = attempts;
        _filter = NatsNames.LiveAckFilter(space, host);
    }

    /// <summary>Whether acknowledgements can arrive (subscribed).</summary>
    public bool Ready => _ready;

    /// <summary>Listens and sweeps until cancelled; a failed subscription is made again.</summary>
    public async Task RunAsync(INatsConnection connection, CancellationToken cancellationToken)
    {
        var sweeping = SweepAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var subscribed = await InlineSubscription.StartAsync(connection, _filter, (subject, _, noResponders, payload) => Take(subject, payload, noResponders), cancellationToken).ConfigureAwait(false);
                    _ready = true;
                    await subscribed.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException or IOException)
                {
                    _log.Event(LogLevel.Info, "nats_live_acks_restart", ("error", ex.Message));
                }

                _ready = false;
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _ready = false;
            _attempts.FailAll();
            await sweeping.ConfigureAwait(false);
        }
    }

    /// <summary>One message under the filter: a batch of acknowledgements, or NATS's "no responders" for one envelope.</summary>
    internal void Take(string subject, ReadOnlySequence<byte> data, bool noResponders)
    {
        if (!NatsNames.TrySplitAck(subject, out var kind, out var token))
        {
            return;
        }

        if (kind == 'r')
        {
            if (noResponders)
            {
                _attempts.Fail(token);
            }

            return;
        }

        foreach (var id in Encoding.ASCII.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _attempts.Acknowledge(token, id);
        }
    }

    /// <summary>Ends the attempts past the live timeout, every <see cref="LiveAttempts.SweepEvery"/> while any is open.</summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _attempts.WaitForOpenAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_attempts.SweepEvery, cancellationToken).ConfigureAwait(false);
                _attempts.Expire();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
