namespace Relay.Inbox;

/// <summary>
/// A <c>type:"user"</c> line written to our socket, e.g. by a model's native <c>SendMessage</c>. When the content is one
/// <see cref="InboxEnvelope"/>, the sender fields come from it and <see cref="Body"/> is its body; otherwise
/// <see cref="Body"/> is the whole content and <see cref="From"/> is the line's own <c>from</c>.
/// </summary>
/// <param name="MsgId">The line's <c>msg_id</c>, or null.</param>
/// <param name="From">The envelope's <c>from</c>, else the line's <c>from</c>.</param>
/// <param name="FromName">The envelope's <c>from-name</c>, or null.</param>
/// <param name="FromMode">The envelope's <c>from-mode</c>, or null.</param>
/// <param name="Body">The envelope's body, else the whole content.</param>
/// <param name="LineFrom">The line's own <c>from</c> field (sender-asserted, like everything here).</param>
/// <param name="Content">The raw <c>message.content</c>.</param>
/// <param name="Envelope">The parsed envelope, or null when the content is not one.</param>
public sealed record InboxIncomingMessage(
    string? MsgId,
    string? From,
    string? FromName,
    InboxSenderMode? FromMode,
    string Body,
    string? LineFrom,
    string Content,
    InboxEnvelope? Envelope);
