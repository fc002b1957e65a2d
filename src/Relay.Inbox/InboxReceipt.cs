namespace Relay.Inbox;

/// <summary>
/// A <c>{"type":"control","action":"peer_message_status",…}</c> line a session wrote back to our socket. Example (2.1.332):
/// <c>{"type":"control","action":"peer_message_status","status":"held","reason":"…","from":"uds:/…/4709.sock","orig_msg_id":"…","msgV":1,"msg_id":"…"}</c>.
/// </summary>
/// <param name="Status">Normalized: <c>expired</c> + <c>status_detail:"refused"</c> is <see cref="InboxReceiptStatus.Refused"/>.</param>
/// <param name="RawStatus">The <c>status</c> field as written.</param>
/// <param name="OrigMsgId">The <c>msg_id</c> of the message this receipt is about.</param>
/// <param name="From">The receiving session's address.</param>
/// <param name="Reason">Claude Code's human-readable explanation.</param>
/// <param name="StatusDetail">The <c>status_detail</c> field, e.g. <c>refused</c>.</param>
/// <param name="DropReason">For <see cref="InboxReceiptStatus.Dropped"/>: e.g. <c>rate-limited</c>, <c>queue-full</c>.</param>
/// <param name="DroppedMsgIds">For <see cref="InboxReceiptStatus.Dropped"/>: other messages dropped with it.</param>
/// <param name="MsgId">The receipt line's own <c>msg_id</c>.</param>
public sealed record InboxReceipt(
    InboxReceiptStatus Status,
    string? RawStatus,
    string? OrigMsgId,
    string? From,
    string? Reason,
    string? StatusDetail,
    string? DropReason,
    IReadOnlyList<string> DroppedMsgIds,
    string? MsgId)
{
    /// <summary>
    /// Every message this receipt is about: <see cref="OrigMsgId"/> plus <see cref="DroppedMsgIds"/>. Claude Code
    /// coalesces drops per sender: the first drop is reported at once, later ones about 5 s later in one receipt whose
    /// <c>dropped_msg_ids</c> lists them (verified live on 2.1.332).
    /// </summary>
    public IReadOnlyList<string> AffectedMsgIds =>
        OrigMsgId is null ? DroppedMsgIds : [OrigMsgId, .. DroppedMsgIds.Where(id => id != OrigMsgId)];
}
