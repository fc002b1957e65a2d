namespace Relay.Inbox;

/// <summary>The outcome of sending one message; failures are values, never exceptions.</summary>
/// <param name="MsgId">The <c>msg_id</c> the line carried (receipts name it as <c>orig_msg_id</c>).</param>
/// <param name="Status">What happened.</param>
/// <param name="Error">A short explanation when <paramref name="Status"/> is not <see cref="InboxDeliveryStatus.Delivered"/>.</param>
public sealed record InboxDelivery(string MsgId, InboxDeliveryStatus Status, string? Error = null)
{
    public bool IsDelivered => Status == InboxDeliveryStatus.Delivered;
}
