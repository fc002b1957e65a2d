using System.Buffers;
using NATS.Client.Core;
using NLog;
using Relay.Runtime;

namespace Relay.Hub.Nats;

/// <summary>
/// A core NATS subscription whose messages are handled where NATS.Net reads them, on its socket reader: no channel and
/// no thread hop between the socket and relay (each hop is a thread wake-up, which under load costs more than the
/// handling). NATS.Net's extension point for this is <see cref="NatsSubBase"/>; it subscribes again by itself after a
/// reconnect. The handler must be quick and never block: it hands the message on (the router only queues). A handler
/// that throws is logged and the subscription goes on (NATS.Net would otherwise end it).
/// </summary>
internal sealed class InlineSubscription : NatsSubBase
{
    private static readonly byte[] NoRespondersStatus = "NATS/1.0 503"u8.ToArray();

    private readonly Handler _handler;
    private readonly Logger _log = RelayLog.For("hub");
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private InlineSubscription(INatsConnection connection, string subject, Handler handler, CancellationToken cancellationToken)
        : base(connection, connection.SubscriptionManager, subject, queueGroup: null, opts: null, cancellationToken)
    {
        _handler = handler;
    }

    /// <summary>One message.</summary>
    /// <param name="subject">The subject it was published to.</param>
    /// <param name="replyTo">Its reply subject, if any.</param>
    /// <param name="noResponders">The message is NATS's "no responders" status for a reply subject.</param>
    /// <param name="payload">NATS.Net's buffer, valid only during the call.</param>
    public delegate void Handler(string subject, string? replyTo, bool noResponders, ReadOnlySequence<byte> payload);

    /// <summary>Subscribes to <paramref name="subject"/>, then returns once subscribed and a task that ends with the subscription (cancelled, or the connection disposed).</summary>
    public static async Task<Task> StartAsync(INatsConnection connection, string subject, Handler handler, CancellationToken cancellationToken)
    {
        var sub = new InlineSubscription(connection, subject, handler, cancellationToken);
        await connection.AddSubAsync(sub, cancellationToken).ConfigureAwait(false);
        return sub.RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            await _ended.Task.ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override ValueTask ReceiveInternalAsync(string subject, string? replyTo, ReadOnlySequence<byte>? headersBuffer, ReadOnlySequence<byte> payloadBuffer)
    {
        try
        {
            _handler(subject, replyTo, IsNoResponders(headersBuffer), payloadBuffer);
        }
#pragma warning disable CA1031 // One bad message must not end the subscription; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.Event(LogLevel.Error, "nats_handler_failed", ex, ("subject", subject));
        }

        return ValueTask.CompletedTask;
    }

    protected override void TryComplete() => _ended.TrySetResult();

    /// <summary>Whether the headers are the status line NATS sends for a reply subject when nobody listened.</summary>
    internal static bool IsNoResponders(ReadOnlySequence<byte>? headers)
    {
        if (headers is not { } buffer || buffer.Length < NoRespondersStatus.Length)
        {
            return false;
        }

        Span<byte> start = stackalloc byte[NoRespondersStatus.Length];
        buffer.Slice(0, NoRespondersStatus.Length).CopyTo(start);
        return start.SequenceEqual(NoRespondersStatus) && (buffer.Length == start.Length || !char.IsAsciiDigit((char)buffer.Slice(start.Length, 1).FirstSpan[0]));
    }
}
