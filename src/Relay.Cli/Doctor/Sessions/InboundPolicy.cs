namespace Relay.Cli.Doctor.Sessions;

/// <summary>
/// Claude Code 2.1.332's rule for <c>crossSessionInbound</c>: the first of policy, <c>--settings</c> and user settings
/// that sets it decides; local and project settings can only tighten it (accept &lt; hold &lt; refuse). An unrecognised
/// value counts as <c>refuse</c> in policy settings; elsewhere it is dropped, and while it is present messages are
/// held at least.
/// </summary>
internal static class InboundPolicy
{
    public static InboundDecision Resolve(IReadOnlyList<SettingsLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        string? value = null;
        SettingsLayer? decidedBy = null;
        foreach (var source in (string[])[SettingsSources.Policy, SettingsSources.Flag, SettingsSources.User])
        {
            var layer = layers.FirstOrDefault(l => l.Source == source);
            var own = layer is null ? null
                : layer.Inbound ?? (source == SettingsSources.Policy && layer.InvalidInbound is not null ? InboundValues.Refuse : null);
            if (own is not null)
            {
                (value, decidedBy) = (own, layer);
                break;
            }
        }

        foreach (var source in (string[])[SettingsSources.Local, SettingsSources.Project])
        {
            if (layers.FirstOrDefault(l => l.Source == source) is { Inbound: { } own } layer && InboundValues.Rank(own) > InboundValues.Rank(value))
            {
                (value, decidedBy) = (own, layer);
            }
        }

        var invalid = layers.FirstOrDefault(l => l.InvalidInbound is not null && l.Source != SettingsSources.Policy);
        if (invalid is not null && InboundValues.Rank(value) < InboundValues.Rank(InboundValues.Hold))
        {
            return new InboundDecision(InboundValues.Hold, invalid, invalid);
        }

        return new InboundDecision(value, decidedBy);
    }
}
