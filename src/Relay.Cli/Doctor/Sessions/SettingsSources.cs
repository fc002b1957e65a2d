namespace Relay.Cli.Doctor.Sessions;

/// <summary>Claude Code's names for where a setting came from, highest precedence first.</summary>
internal static class SettingsSources
{
    /// <summary>Managed settings (<c>/etc/claude-code/managed-settings.json</c>).</summary>
    public const string Policy = "policySettings";

    /// <summary><c>--settings &lt;file-or-json&gt;</c> on the session's command line.</summary>
    public const string Flag = "flagSettings";

    /// <summary><c>.claude/settings.local.json</c> in the session's folder.</summary>
    public const string Local = "localSettings";

    /// <summary><c>.claude/settings.json</c> in the session's folder.</summary>
    public const string Project = "projectSettings";

    /// <summary><c>~/.claude/settings.json</c>.</summary>
    public const string User = "userSettings";

    /// <summary>Project and local settings live in the repository, so Claude Code lets them only tighten.</summary>
    public static bool IsRepo(string source) => source is Project or Local;
}
