using NLog;
using Relay.Runtime;

namespace Relay.Inbox;

/// <summary>
/// Sends messages to Claude Code inboxes from one sender address, paced per target so Claude Code's per-sender limit
/// (burst 30, then one per 2 s) never drops one: what would exceed it waits in a bounded per-target queue, in order.
/// Every <see cref="SendAsync"/> completes with an <see cref="InboxDelivery"/>: delivered, failed, or not attempted
/// (<see cref="InboxDeliveryStatus.QueueFull"/>, <see cref="InboxDeliveryStatus.Cancelled"/>). Nothing is dropped silently.
/// </summary>
public sealed class InboxOutbox : IAsyncDisposable
{
    public const int DefaultMaxQueuedPerTarget = 256;

    private static readonly Logger Log = RelayLog.For("inbox");

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Target> _targets = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private readonly TimeProvider _time;
    private readonly InboxTransport _transport;
    private readonly int _burst;
    private readonly TimeSpan _interval;
    private readonly List<Task> _drains = [];
    private bool _isDisposed;

    /// <param name="time">Clock for pacing; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="transport">How bytes reach a socket; <see cref="InboxWriter.WriteAsync"/> with its default timeout when null.</param>
    /// <param name="maxQueuedPerTarget">Messages that may wait for one target's rate limit; one more gets <see cref="InboxDeliveryStatus.QueueFull"/>.</param>
    /// <param name="burst">Messages sent to one target without waiting.</param>
    /// <param name="interval">Then one message per this interval.</param>
    public InboxOutbox(TimeProvider? time = null, InboxTransport? transport = null, int maxQueuedPerTarget = DefaultMaxQueuedPerTarget, int burst = InboxPacer.DefaultBurst, TimeSpan? interval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedPerTarget, 0);
        _time = time ?? TimeProvider.System;
        _transport = transport ?? ((target, payload, ct) => InboxWriter.WriteAsync(target, payload, InboxWriter.DefaultTimeout, ct));
        MaxQueuedPerTarget = maxQueuedPerTarget;
        _burst = burst;
        _interval = interval ?? InboxPacer.DefaultInterval;
    }

    public int MaxQueuedPerTarget { get; }

    /// <summary>Messages for <paramref name="targetSocket"/> that wait for the target's rate limit.</summary>
    public int WaitingFor(string targetSocket)
    {
        lock (_gate)
        {
            return _targets.TryGetValue(targetSocket, out var target) ? target.Waiting : 0;
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="targetSocket"/> as soon as the target's pacing allows. The task
    /// completes when the line was written (or failed), or at once when it is too large or the queue is full.
    /// </summary>
    public Task<InboxDelivery> SendAsync(string targetSocket, InboxMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targetSocket);
        ArgumentNullException.ThrowIfNull(message);
        var msgId = message.MsgId ?? Guid.NewGuid().ToString();
        var payload = message.Serialize(msgId, out var error);
        if (payload is null)
        {
            var status = string.IsNullOrEmpty(message.Content) ? InboxDeliveryStatus.WriteFailed : InboxDeliveryStatus.TooLarge;
            return Task.FromResult(Report(targetSocket, new InboxDelivery(msgId, status, error)));
        }

        var item = new Item(msgId, payload, cancellationToken);
        lock (_gate)
        {
            if (_isDisposed)
            {
                return Task.FromResult(Report(targetSocket, new InboxDelivery(msgId, InboxDeliveryStatus.Cancelled, "outbox disposed")));
            }

            if (!_targets.TryGetValue(targetSocket, out var target))
            {
                PruneIdleTargets();
                target = new Target(new InboxPacer(_time, _burst, _interval));
                _targets[targetSocket] = target;
            }

            // A message that can go now takes its token at once, so a burst never counts against the queue bound; only
            // messages that must wait for the pacer do. Tokens are taken in arrival order: nothing overtakes a waiting one.
            if (target.Waiting == 0 && target.Pacer.TryTake() == TimeSpan.Zero)
            {
                item.HasToken = true;
            }
            else if (target.Waiting >= MaxQueuedPerTarget)
            {
                return Task.FromResult(Report(targetSocket, new InboxDelivery(msgId, InboxDeliveryStatus.QueueFull, $"{target.Waiting} messages already wait for this target's rate limit")));
            }
            else
            {
                target.Waiting++;
            }

            target.Queue.Enqueue(item);
            if (!target.Draining)
            {
                target.Draining = true;
                _drains.RemoveAll(t => t.IsCompleted);
                _drains.Add(Task.Run(() => DrainAsync(targetSocket, target), CancellationToken.None));
            }
        }

        return item.Completion.Task;
    }

    private async Task DrainAsync(string targetSocket, Target target)
    {
        while (true)
        {
            Item item;
            TimeSpan wait;
            lock (_gate)
            {
                if (target.Queue.Count == 0 || _isDisposed)
                {
                    target.Draining = false;
                    return;
                }

                item = target.Queue.Peek();
                if (item.CancellationToken.IsCancellationRequested)
                {
                    Dequeue(target, refund: true);
                    item.Completion.TrySetResult(Report(targetSocket, new InboxDelivery(item.MsgId, InboxDeliveryStatus.Cancelled, "cancelled by the caller")));
                    continue;
                }

                wait = item.HasToken ? TimeSpan.Zero : target.Pacer.TryTake();
                if (wait == TimeSpan.Zero)
                {
                    Dequeue(target, refund: false);
                    item.HasToken = true;
                }
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _time, _disposed.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                continue;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.CancellationToken, _disposed.Token);
            (InboxDeliveryStatus Status, string? Error) result;
            try
            {
                result = await _transport(targetSocket, item.Payload, linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
            {
                result = (ex is OperationCanceledException ? InboxDeliveryStatus.Cancelled : InboxDeliveryStatus.WriteFailed, ex.Message);
            }

            if (result.Status is InboxDeliveryStatus.SocketMissing or InboxDeliveryStatus.ConnectionRefused or InboxDeliveryStatus.Cancelled)
            {
                lock (_gate)
                {
                    target.Pacer.Refund(); // never reached the receiver, so its limit did not count it
                }
            }

            item.Completion.TrySetResult(Report(targetSocket, new InboxDelivery(item.MsgId, result.Status, result.Error)));
        }
    }

    private static void Dequeue(Target target, bool refund)
    {
        var item = target.Queue.Dequeue();
        if (item.HasToken && refund)
        {
            target.Pacer.Refund();
        }
        else if (!item.HasToken)
        {
            target.Waiting--;
        }
    }

    private void PruneIdleTargets()
    {
        if (_targets.Count < 64)
        {
            return;
        }

        foreach (var (key, target) in _targets.ToArray())
        {
            if (!target.Draining && target.Queue.Count == 0 && target.Pacer.IsIdle)
            {
                _targets.Remove(key);
            }
        }
    }

    private static InboxDelivery Report(string targetSocket, InboxDelivery delivery)
    {
        Log.Event(
            delivery.IsDelivered ? LogLevel.Debug : LogLevel.Info,
            delivery.IsDelivered ? "inbox_delivered" : "inbox_not_delivered",
            ("target", targetSocket),
            ("msg_id", delivery.MsgId),
            ("status", delivery.Status.ToString()),
            ("error", delivery.Error));
        return delivery;
    }

    /// <summary>Stops sending; every message still queued completes with <see cref="InboxDeliveryStatus.Cancelled"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        List<(string, Item)> abandoned = [];
        Task[] drains;
        lock (_gate)
        {
            if (_isDisposed)
            {
                return;
            }

            _isDisposed = true;
            foreach (var (key, target) in _targets)
            {
                while (target.Queue.TryDequeue(out var item))
                {
                    abandoned.Add((key, item));
                }
            }

            drains = [.. _drains];
        }

        foreach (var (key, item) in abandoned)
        {
            item.Completion.TrySetResult(Report(key, new InboxDelivery(item.MsgId, InboxDeliveryStatus.Cancelled, "outbox disposed")));
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(drains).ConfigureAwait(false);
        }
        finally
        {
            _disposed.Dispose();
        }
    }

    private sealed class Target(InboxPacer pacer)
    {
        public InboxPacer Pacer { get; } = pacer;

        public Queue<Item> Queue { get; } = new();

        public bool Draining { get; set; }

        /// <summary>Queued messages that have no pacer token yet.</summary>
        public int Waiting { get; set; }
    }

    private sealed class Item(string msgId, byte[] payload, CancellationToken cancellationToken)
    {
        public string MsgId { get; } = msgId;

        public byte[] Payload { get; } = payload;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<InboxDelivery> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool HasToken { get; set; }
    }
}
