using Relay.Channels.Delivery;
using Relay.Protocol.Messages;

namespace Relay.Cli.Doctor.Sessions;

/// <summary>How relay traffic reaches one Claude Code session, in words, with a fix when it does not (well).</summary>
/// <param name="Path">inbox, channel, pull or <see cref="Unreachable"/>.</param>
/// <param name="Via">Who writes to the inbox: <see cref="ViaChannel"/>, <see cref="ViaHub"/>, or null for other paths.</param>
/// <param name="Status">ok, info or warn.</param>
/// <param name="Message">The path in words.</param>
/// <param name="Fix">What to do when the path is poor or missing.</param>
internal sealed record SessionReach(string Path, string? Via, string Status, string Message, string? Fix)
{
    public const string Unreachable = "unreachable";
    public const string ViaChannel = "relay channel";
    public const string ViaHub = "hub";

    /// <summary>The first Claude Code with the native inbox.</summary>
    public static readonly Version InboxSince = new(2, 1, 224);

    private const string ChannelFlag = "--channels plugin:relay@claude-relay";
    private const string InstallPlugin = "claude plugin install relay@claude-relay";

    /// <summary>True when Claude Code's inbox rules (crossSessionInbound, bypass holds) apply to what arrives.</summary>
    public bool ThroughInbox => Path == DeliveryPaths.Inbox;

    /// <param name="hasChannel">A <c>relay mcp</c> process runs under the session.</param>
    /// <param name="deliverySetting">That channel's <c>RELAY_DELIVERY</c> / <c>--delivery</c>, when set.</param>
    /// <param name="args">The session's command line.</param>
    /// <param name="inboxSocket">The record's <c>messagingSocketPath</c> when that socket exists.</param>
    /// <param name="version">The record's Claude Code version.</param>
    public static SessionReach Decide(bool hasChannel, string? deliverySetting, IReadOnlyList<string> args, string? inboxSocket, string? version)
    {
        ArgumentNullException.ThrowIfNull(args);
        var namesChannel = ParentCommandLine.NamesRelayChannel(args);
        if (hasChannel)
        {
            // The channel decides by exactly these rules; ask them rather than repeat them.
            var choice = DeliveryChoice.Resolve(DeliveryChoice.IsValidSetting(deliverySetting) && deliverySetting != DeliveryChoice.Auto ? deliverySetting : null, args, inboxSocket);
            var forced = deliverySetting is { } setting && setting != DeliveryChoice.Auto ? $" (RELAY_DELIVERY={setting})" : null;
            return choice.Path switch
            {
                DeliveryPaths.Channel => new(DeliveryPaths.Channel, null, CheckStatus.Ok, "channel" + (forced ?? " (started with relay as a channel)"), null),
                DeliveryPaths.Inbox => new(DeliveryPaths.Inbox, ViaChannel, CheckStatus.Ok, "inbox via its relay channel" + forced, null),
                _ => new(DeliveryPaths.Pull, null, CheckStatus.Info, "pull only" + (forced ?? $" ({NoInboxWhy(version)})") + " — the model must call relay_inbox", forced is null ? NoInboxFix(version) : "unset RELAY_DELIVERY for that session"),
            };
        }

        if (inboxSocket is not null)
        {
            return namesChannel
                ? new(DeliveryPaths.Inbox, ViaHub, CheckStatus.Warn, "inbox via the hub: started with relay as a channel, but no relay mcp runs under it, so it cannot ask others",
                    $"in that session run /mcp to see why relay failed; is the plugin installed ({InstallPlugin}) and enabled?")
                : new(DeliveryPaths.Inbox, ViaHub, CheckStatus.Ok, "inbox via the hub (no relay plugin in this session)", null);
        }

        var why = namesChannel ? "started with relay as a channel, but no relay mcp runs under it, and " + NoInboxWhy(version)
            : "no relay plugin and " + NoInboxWhy(version);
        var fix = namesChannel
            ? $"in that session run /mcp to see why relay failed; is the plugin installed ({InstallPlugin}) and enabled?"
            : $"{InstallPlugin}, then restart the session with {ChannelFlag}" + (IsOld(version) ? $", or upgrade Claude Code to {InboxSince} or later" : string.Empty);
        return new(Unreachable, null, CheckStatus.Warn, $"unreachable ({why})", fix);
    }

    private static string NoInboxWhy(string? version) => IsOld(version)
        ? $"no inbox: Claude Code {version} is older than {InboxSince}"
        : $"no inbox: Claude Code older than {InboxSince} or inbox off";

    private static string NoInboxFix(string? version) => IsOld(version)
        ? $"upgrade Claude Code to {InboxSince} or later, or restart the session with {ChannelFlag}"
        : $"restart the session with {ChannelFlag}, or without --bare and CLAUDE_CODE_HARBOR_KITE=0 so its inbox is on";

    public static bool IsOld(string? version) =>
        version is not null && Version.TryParse(version.Split('-', '+')[0], out var parsed) && parsed < InboxSince;
}
