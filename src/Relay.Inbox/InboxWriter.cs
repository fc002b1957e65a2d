using System.Net.Sockets;

namespace Relay.Inbox;

/// <summary>Writes one message to a Claude Code inbox socket: connect, optional auth line, message line, close.</summary>
public static class InboxWriter
{
    /// <summary>How long connecting and writing may take together (Claude Code's own sender uses 5 s).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Serializes and sends <paramref name="message"/> to <paramref name="targetSocket"/>. Never throws for I/O failures.</summary>
    public static async Task<InboxDelivery> SendAsync(string targetSocket, InboxMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targetSocket);
        ArgumentNullException.ThrowIfNull(message);
        var msgId = message.MsgId ?? Guid.NewGuid().ToString();
        var payload = message.Serialize(msgId, out var error);
        if (payload is null)
        {
            return new InboxDelivery(msgId, string.IsNullOrEmpty(message.Content) ? InboxDeliveryStatus.WriteFailed : InboxDeliveryStatus.TooLarge, error);
        }

        var (status, detail) = await WriteAsync(targetSocket, payload, DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return new InboxDelivery(msgId, status, detail);
    }

    /// <summary>Writes raw bytes to the socket and closes it. The bytes must be complete newline-terminated lines.</summary>
    public static async Task<(InboxDeliveryStatus Status, string? Error)> WriteAsync(string targetSocket, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targetSocket);
        if (!InboxAddress.TryParse(targetSocket, out var path))
        {
            return (InboxDeliveryStatus.WriteFailed, "not an inbox socket path: " + targetSocket);
        }

        if (!File.Exists(path))
        {
            return (InboxDeliveryStatus.SocketMissing, "no socket at " + path);
        }

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeoutCts.Token).ConfigureAwait(false);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return (InboxDeliveryStatus.ConnectionRefused, "nobody listens on " + path);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.HostNotFound || !File.Exists(path))
        {
            return (InboxDeliveryStatus.SocketMissing, ex.Message);
        }
        catch (SocketException ex)
        {
            return (InboxDeliveryStatus.WriteFailed, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (InboxDeliveryStatus.WriteFailed, "timed out connecting to " + path);
        }
        catch (OperationCanceledException)
        {
            return (InboxDeliveryStatus.Cancelled, "cancelled");
        }

        try
        {
            using (var stream = new NetworkStream(socket, ownsSocket: false))
            {
                await stream.WriteAsync(payload, timeoutCts.Token).ConfigureAwait(false);
            }

            socket.Shutdown(SocketShutdown.Send);
            return (InboxDeliveryStatus.Delivered, null);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return (InboxDeliveryStatus.WriteFailed, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (InboxDeliveryStatus.WriteFailed, "timed out writing to " + path);
        }
        catch (OperationCanceledException)
        {
            return (InboxDeliveryStatus.Cancelled, "cancelled");
        }
    }
}
