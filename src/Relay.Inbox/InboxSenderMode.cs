namespace Relay.Inbox;

/// <summary>
/// The permission mode a sender asserts in <c>from-mode</c>. A session in <c>bypassPermissions</c> holds every message
/// that does not say <see cref="Bypass"/> (verified live on 2.1.332); a prompting session accepts both.
/// </summary>
public enum InboxSenderMode
{
    /// <summary><c>from-mode="prompting"</c>: the sender asks its user before acting.</summary>
    Prompting,

    /// <summary><c>from-mode="bypass"</c>: the sender runs with permission prompts bypassed.</summary>
    Bypass,
}
