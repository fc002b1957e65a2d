namespace Relay.Tests.ClaudeCode;

/// <summary>
/// How <see cref="ClaudeWorld.StartSession"/> starts one session. The default is what the conversation tests use: the
/// world's HOME with the plugin installed, <c>--channels plugin:relay@claude-relay</c>, the relay tools allowed, the
/// default permission mode.
/// </summary>
public sealed record ClaudeSessionOptions
{
    public static readonly ClaudeSessionOptions Default = new();

    /// <summary>Pass <c>--channels plugin:relay@claude-relay</c>; false starts the session with no channel flag at all.</summary>
    public bool Channel { get; init; } = true;

    /// <summary>
    /// False runs the session in a HOME of its own where the plugin is not installed (same onboarding, API key and
    /// flag cache as the world's HOME; see <see cref="ClaudeSession.Home"/>).
    /// </summary>
    public bool PluginInstalled { get; init; } = true;

    /// <summary><c>--permission-mode</c>, e.g. <c>bypassPermissions</c>; null leaves Claude Code's default.</summary>
    public string? PermissionMode { get; init; }

    /// <summary>Extra settings JSON passed with <c>--settings</c>, e.g. <c>{"crossSessionInbound":"refuse"}</c>.</summary>
    public string? Settings { get; init; }

    /// <summary>Write Claude Code's debug log (<c>--debug-file</c>) to <see cref="ClaudeSession.DebugFile"/>.</summary>
    public bool DebugLog { get; init; }

    /// <summary>More command-line arguments, appended last.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}
