namespace Relay.Inbox;

/// <summary>Writes complete lines to a target socket; <see cref="InboxWriter.WriteAsync"/> in production, a fake in tests.</summary>
public delegate Task<(InboxDeliveryStatus Status, string? Error)> InboxTransport(string targetSocket, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
