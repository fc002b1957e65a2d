using Relay.Protocol.Messages;

namespace Relay.Channels.Delivery;

/// <summary>
/// Picks the one path by which this channel delivers incoming traffic into its session, and says why:
/// <list type="number">
/// <item><c>RELAY_DELIVERY</c> (or <c>relay mcp --delivery</c>) = <c>inbox</c>, <c>channel</c> or <c>pull</c> wins
/// (an inbox that does not exist falls back to pull, and says so);</item>
/// <item>a session launched with relay as a channel gets channel pushes: they render as relay's own
/// <c>&lt;channel&gt;</c> turn;</item>
/// <item>a session with a native inbox (Claude Code ≥ 2.1.224) gets inbox messages: no flag needed;</item>
/// <item>anything else (another MCP client, an old Claude Code without the flag) pulls with <c>relay_inbox</c>.</item>
/// </list>
/// </summary>
public sealed record DeliveryChoice(string Path, string Reason, string? InboxSocket)
{
    public const string Auto = "auto";

    public static bool IsValidSetting(string? value) => value is null or Auto or DeliveryPaths.Inbox or DeliveryPaths.Channel or DeliveryPaths.Pull;

    /// <param name="setting">RELAY_DELIVERY / --delivery: auto (null) or a path.</param>
    /// <param name="parentArgs">The session's command line.</param>
    /// <param name="inboxSocket">The session's inbox socket (environment or sessions file), when it has one.</param>
    public static DeliveryChoice Resolve(string? setting, IReadOnlyList<string> parentArgs, string? inboxSocket)
    {
        var inbox = inboxSocket is { Length: > 0 } && File.Exists(inboxSocket) ? inboxSocket : null;
        switch (setting)
        {
            case DeliveryPaths.Channel:
                return new(DeliveryPaths.Channel, "RELAY_DELIVERY=channel", inbox);
            case DeliveryPaths.Pull:
                return new(DeliveryPaths.Pull, "RELAY_DELIVERY=pull", inbox);
            case DeliveryPaths.Inbox when inbox is not null:
                return new(DeliveryPaths.Inbox, "RELAY_DELIVERY=inbox", inbox);
            case DeliveryPaths.Inbox:
                return new(DeliveryPaths.Pull, "RELAY_DELIVERY=inbox, but this session has no native inbox socket", null);
        }

        if (ParentCommandLine.NamesRelayChannel(parentArgs))
        {
            return new(DeliveryPaths.Channel, "the session was started with relay as a channel", inbox);
        }

        if (inbox is not null)
        {
            return new(DeliveryPaths.Inbox, "the session has a native inbox", inbox);
        }

        return new(DeliveryPaths.Pull, "no channel flag and no native inbox: the model fetches messages with relay_inbox", null);
    }
}
