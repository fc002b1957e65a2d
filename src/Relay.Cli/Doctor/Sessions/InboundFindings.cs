namespace Relay.Cli.Doctor.Sessions;

/// <summary>
/// What Claude Code does with a relay ask arriving in a session's inbox: an explicit <c>crossSessionInbound</c> decides;
/// when it is unset, a session in bypass mode holds what another process writes (from-mode prompting, or none: either
/// way not its own permission class) until its user approves it — but not what its own child, the session's relay
/// channel, writes (verified on Claude Code 2.1.332 by InboxDeliveryTests).
/// </summary>
internal static class InboundFindings
{
    /// <summary>The findings for one session; <c>writtenByOwnChild</c>: its own relay channel writes the asks.</summary>
    public static IReadOnlyList<SessionFinding> Explain(InboundDecision inbound, PermissionMode mode, IReadOnlyList<string> args, string userSettingsFile, bool writtenByOwnChild = false)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(args);
        if (inbound.InvalidIn is { } invalid)
        {
            return [new(CheckStatus.Warn, $"\"crossSessionInbound\" in {invalid.Where} is {invalid.InvalidInbound}, not accept, hold or refuse, so Claude Code holds relay asks for the user's approval",
                $"set \"crossSessionInbound\" to \"accept\" in {invalid.Where}")];
        }

        var where = inbound.DecidedBy?.Where;
        switch (inbound.Value)
        {
            case InboundValues.Refuse:
                return [new(CheckStatus.Warn, $"crossSessionInbound is refuse ({where}): refuses relay asks; askers get `refused`", Loosen(inbound.DecidedBy!, userSettingsFile))];
            case InboundValues.Hold:
                return [new(CheckStatus.Warn, $"crossSessionInbound is hold ({where}): asks wait for the user's approval in that terminal" + ExpiresInPrint(args), Loosen(inbound.DecidedBy!, userSettingsFile))];
            case InboundValues.Accept:
                return [new(CheckStatus.Ok, $"crossSessionInbound is accept ({where}): relay asks are delivered" + (mode.IsBypass ? " even in bypassPermissions mode" : string.Empty))];
        }

        if (mode.IsBypass && writtenByOwnChild)
        {
            return [new(CheckStatus.Ok, $"runs in bypassPermissions mode ({mode.Source}), but relay asks still arrive: its own relay channel writes them, and Claude Code holds only other processes' messages")];
        }

        if (mode.IsBypass)
        {
            return [new(CheckStatus.Warn, $"runs in bypassPermissions mode ({mode.Source}): holds relay asks until you approve them in that terminal"
                + (IsPrint(args) ? "; it runs with -p, so held asks expire when it exits" : "; in -p they expire"),
                $"run it in a prompting mode (without {mode.Source}) or approve held messages in that terminal; to let every session's messages through unreviewed, set \"crossSessionInbound\": \"accept\" in {userSettingsFile}")];
        }

        return [new(CheckStatus.Ok, $"accepts relay asks ({mode.Mode} mode, crossSessionInbound unset)")];
    }

    private static bool IsPrint(IReadOnlyList<string> args) => args.Any(a => a is "-p" or "--print");

    private static string ExpiresInPrint(IReadOnlyList<string> args) => IsPrint(args) ? "; it runs with -p, so held asks expire when it exits" : string.Empty;

    private static string Loosen(SettingsLayer layer, string userSettingsFile) => layer.Source switch
    {
        SettingsSources.Policy => $"managed settings ({layer.Where}) decide this; ask your administrator",
        SettingsSources.Project or SettingsSources.Local => $"remove \"crossSessionInbound\" from {layer.Where} (a project setting can only tighten; {userSettingsFile} decides otherwise)",
        SettingsSources.Flag when layer.Where.StartsWith('/') => $"set \"crossSessionInbound\" to \"accept\" in {layer.Where} (given with --settings)",
        SettingsSources.Flag => "restart the session without \"crossSessionInbound\" in its --settings JSON",
        _ => $"set \"crossSessionInbound\" to \"accept\" in {layer.Where}",
    };
}
