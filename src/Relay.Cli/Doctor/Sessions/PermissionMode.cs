namespace Relay.Cli.Doctor.Sessions;

/// <summary>The permission mode a session started in, and where that came from.</summary>
/// <param name="Mode">default, acceptEdits, plan, bypassPermissions, …</param>
/// <param name="Source">The flag or settings file that set it; "default" when nothing did.</param>
internal sealed record PermissionMode(string Mode, string Source)
{
    public const string Bypass = "bypassPermissions";
    public const string Default = "default";

    public bool IsBypass => Mode == Bypass;

    /// <summary>
    /// Like Claude Code: <c>--dangerously-skip-permissions</c> or <c>--permission-mode</c> on the command line wins;
    /// else <c>permissions.defaultMode</c> of the highest settings source that sets it (policy, <c>--settings</c>,
    /// local, project, user), where only policy, <c>--settings</c> and user settings may grant bypass mode;
    /// <c>permissions.disableBypassPermissionsMode: "disable"</c> anywhere turns bypass off.
    /// </summary>
    public static PermissionMode Resolve(IReadOnlyList<string> args, IReadOnlyList<SettingsLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(layers);
        var mode = FromCommandLine(args) ?? FromSettings(layers) ?? new PermissionMode(Default, Default);
        return mode.IsBypass && layers.FirstOrDefault(l => l.DisablesBypass) is { } disabled
            ? new PermissionMode(Default, $"{disabled.Where} sets disableBypassPermissionsMode")
            : mode;
    }

    private static PermissionMode? FromCommandLine(IReadOnlyList<string> args)
    {
        if (args.Contains("--dangerously-skip-permissions"))
        {
            return new PermissionMode(Bypass, "--dangerously-skip-permissions");
        }

        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--permission-mode" && i + 1 < args.Count)
            {
                return new PermissionMode(args[i + 1], "--permission-mode " + args[i + 1]);
            }

            if (args[i].StartsWith("--permission-mode=", StringComparison.Ordinal))
            {
                return new PermissionMode(args[i]["--permission-mode=".Length..], args[i]);
            }
        }

        return null;
    }

    private static PermissionMode? FromSettings(IReadOnlyList<SettingsLayer> layers)
    {
        foreach (var source in (string[])[SettingsSources.Policy, SettingsSources.Flag, SettingsSources.Local, SettingsSources.Project, SettingsSources.User])
        {
            if (layers.FirstOrDefault(l => l.Source == source) is { DefaultMode: { } mode } layer)
            {
                // Claude Code ignores a repo's bypass grant and starts in the default mode.
                return mode == Bypass && SettingsSources.IsRepo(source)
                    ? new PermissionMode(Default, $"{layer.Where} asks for bypassPermissions, which only policy, --settings and user settings may grant")
                    : new PermissionMode(mode, $"permissions.defaultMode in {layer.Where}");
            }
        }

        return null;
    }
}
