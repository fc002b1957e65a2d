using Relay.Protocol.Messages;

namespace Relay.Inbox;

/// <summary>Claude Code's receipt statuses in relay's ask states (<see cref="AskStates"/>).</summary>
public static class ReceiptStates
{
    /// <summary>The ask state a receipt reports, or null for a status relay does not know.</summary>
    public static string? ToAskState(InboxReceiptStatus status) => status switch
    {
        InboxReceiptStatus.Delivered => AskStates.Delivered,
        InboxReceiptStatus.Held => AskStates.Held,
        InboxReceiptStatus.Expired => AskStates.Expired,
        // "denied": the receiver's policy turned the sender away; for the asker that is a refusal.
        InboxReceiptStatus.Refused or InboxReceiptStatus.Denied => AskStates.Refused,
        InboxReceiptStatus.Dropped => AskStates.Dropped,
        _ => null,
    };

    /// <summary>A short reason from the receipt's own fields, for the asker.</summary>
    public static string? Detail(InboxReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var parts = new[] { receipt.Status == InboxReceiptStatus.Denied ? "denied" : null, receipt.Reason, receipt.StatusDetail, receipt.DropReason }
            .Where(p => !string.IsNullOrWhiteSpace(p) && !string.Equals(p, ToAskState(receipt.Status), StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>The ask state for an inbox write that failed before Claude Code saw it.</summary>
    public static (string Code, string Detail) ForFailedWrite(InboxDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return delivery.Status switch
        {
            InboxDeliveryStatus.TooLarge => (AskStates.Dropped, "too large for Claude Code's inbox (1 MiB per message)"),
            InboxDeliveryStatus.QueueFull => (AskStates.Dropped, "too many messages already wait for that session's rate limit"),
            _ => (AskStates.Dropped, delivery.Error ?? delivery.Status.ToString()),
        };
    }
}
