namespace Relay.Inbox;

/// <summary>Claude Code's config folder: <c>$CLAUDE_CONFIG_DIR</c>, else <c>$HOME/.claude</c>.</summary>
public sealed record ClaudeHome(string ConfigDir)
{
    /// <summary>Where Claude Code keeps one <c>&lt;pid&gt;.json</c> record per running session.</summary>
    public string SessionsDir => Path.Combine(ConfigDir, "sessions");

    /// <summary>The record a session with this pid would write.</summary>
    public string SessionFile(int pid) => Path.Combine(SessionsDir, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".json");

    /// <summary>Resolves the folder from this process's environment.</summary>
    public static ClaudeHome Resolve() => Resolve(Environment.GetEnvironmentVariable);

    /// <summary>Resolves the folder from the given environment (tests pass their own).</summary>
    public static ClaudeHome Resolve(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment("CLAUDE_CONFIG_DIR") is { Length: > 0 } configDir)
        {
            return new ClaudeHome(Path.GetFullPath(configDir));
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new ClaudeHome(Path.Combine(home, ".claude"));
    }
}
