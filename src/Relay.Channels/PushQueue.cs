using System.Collections.Concurrent;
using ModelContextProtocol.Protocol;
using NLog;
using Relay.Runtime;

namespace Relay.Channels;

/// <summary>
/// Delivers channel notifications to Claude Code in arrival order, never losing one. Claude Code drops a push that
/// arrives before it has registered its channel handler, so everything is held until the client sent
/// <c>notifications/initialized</c> and then either listed the tools or called one, plus the push delay. A client
/// that does neither still gets its pushes once the fallback delay after <c>notifications/initialized</c> passed:
/// pushes are never held forever. After that the producer (the hub receive loop) drains the queue itself: with the
/// synchronous stdout writer a push leaves the process on the thread that read it from the hub.
/// </summary>
internal sealed class PushQueue
{
    private readonly ConcurrentQueue<(JsonRpcNotification Notification, Action? Sent)> _queue = new();
    private readonly TimeSpan _delay;
    private readonly TimeSpan _fallback;
    private readonly Logger _log;
    private Func<JsonRpcNotification, Task>? _send;
    private int _initialized;
    private int _toolsUsed;
    private int _gateStarted;
    private int _opened;
    private volatile bool _open;
    private int _draining;

    /// <param name="delay">The hold after the client is ready (initialized, then a tools/list or a tools/call).</param>
    /// <param name="fallback">The longest hold after <c>notifications/initialized</c> when no tools request comes.</param>
    /// <param name="log">The channel's log.</param>
    public PushQueue(TimeSpan delay, TimeSpan fallback, Logger log)
    {
        _delay = delay;
        _fallback = fallback;
        _log = log;
    }

    /// <summary>True once pushes flow (for tests and logs).</summary>
    public bool IsOpen => _open;

    /// <summary>Sets the sender (the MCP server's <c>SendMessageAsync</c>); must be called before the gate can open.</summary>
    public void Attach(Func<JsonRpcNotification, Task> send) => _send = send;

    public void MarkInitialized()
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 0)
        {
            After(_fallback, "fallback");
        }

        MaybeOpen();
    }

    /// <summary>The client sent <c>tools/list</c> or <c>tools/call</c>: its connection is complete.</summary>
    public void MarkToolsUsed()
    {
        Interlocked.Exchange(ref _toolsUsed, 1);
        MaybeOpen();
    }

    /// <summary>Queues a push; <paramref name="sent"/> runs once it was written to Claude Code.</summary>
    public void Enqueue(JsonRpcNotification notification, Action? sent = null)
    {
        _queue.Enqueue((notification, sent));
        if (_open)
        {
            Drain();
        }
    }

    private void MaybeOpen()
    {
        if (Volatile.Read(ref _initialized) == 0 || Volatile.Read(ref _toolsUsed) == 0 || Interlocked.Exchange(ref _gateStarted, 1) != 0)
        {
            return;
        }

        After(_delay, "ready");
    }

    private void After(TimeSpan delay, string reason)
    {
        if (delay <= TimeSpan.Zero)
        {
            Open(reason);
            return;
        }

        _ = Task.Delay(delay).ContinueWith(_ => Open(reason), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Open(string reason)
    {
        if (Interlocked.Exchange(ref _opened, 1) != 0)
        {
            return;
        }

        _open = true;
        _log.Event(LogLevel.Debug, "push_gate_open", ("reason", reason), ("backlog", _queue.Count));
        Drain();
    }

    private void Drain()
    {
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = DrainAsync();
        }
    }

    private async Task DrainAsync()
    {
        var send = _send ?? throw new InvalidOperationException("PushQueue.Attach was not called");
        while (true)
        {
            while (_queue.TryDequeue(out var item))
            {
                try
                {
                    await send(item.Notification).ConfigureAwait(false);
                    item.Sent?.Invoke();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
                {
                    // stdout is gone: the session is over and the stdin EOF path stops the channel.
                    _log.Event(LogLevel.Debug, "push_failed", ex);
                }
            }

            Volatile.Write(ref _draining, 0);
            // A producer may have enqueued after our last TryDequeue but before the flag dropped: take the work back.
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return;
            }
        }
    }
}
