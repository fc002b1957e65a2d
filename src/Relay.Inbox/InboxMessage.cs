namespace Relay.Inbox;

/// <summary>One message relay wants written into a session's inbox.</summary>
/// <param name="Content">The <c>message.content</c>: usually an <see cref="InboxEnvelope"/>, non-empty.</param>
/// <param name="FromAddress">The line's <c>from</c> (<c>uds:</c> + our listener's socket), where receipts come back; null for none.</param>
/// <param name="AuthToken">Sent first as <c>{"type":"auth","token":…}</c> when set (the channel has <c>CLAUDE_CODE_MESSAGING_TOKEN</c>).</param>
/// <param name="MsgId">The <c>msg_id</c>; a new UUID when null.</param>
/// <param name="Priority"><c>now</c>, <c>next</c> (default) or <c>later</c>.</param>
public sealed record InboxMessage(string Content, string? FromAddress, string? AuthToken = null, string? MsgId = null, string Priority = "next")
{
    /// <summary>The bytes written for this message (auth line, if any, then the message line), or null with the reason when too large.</summary>
    public byte[]? Serialize(string msgId, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(Content))
        {
            error = "empty content";
            return null;
        }

        var line = InboxOutgoingLine.UserMessage(msgId, Content, FromAddress, Priority);
        if (line.Length > InboxOutgoingLine.MaxLineBytes)
        {
            error = $"message line is {line.Length} bytes, over the {InboxOutgoingLine.MaxLineBytes}-byte limit";
            return null;
        }

        if (AuthToken is null)
        {
            return line;
        }

        var auth = InboxOutgoingLine.Auth(AuthToken);
        if (auth.Length > InboxOutgoingLine.MaxLineBytes)
        {
            error = "auth line over the limit";
            return null;
        }

        return [.. auth, .. line];
    }
}
