namespace Relay.Runtime;

/// <summary>Where relay keeps its socket and logs. One resolution shared by the hub, the channel and the CLI.</summary>
public sealed record DataDir(string Path, string Source)
{
    /// <summary>The plugin's data dir id: <c>relay@claude-relay</c> with non-identifier characters turned into '-'.</summary>
    public const string PluginDataId = "relay-claude-relay";

    public string SocketPath =>
        Environment.GetEnvironmentVariable("RELAY_HUB_SOCKET") is { Length: > 0 } socket ? socket : System.IO.Path.Combine(Path, "hub.sock");

    public string LogDir => System.IO.Path.Combine(Path, "logs");

    /// <summary>
    /// <c>--data-dir</c> when given, else <c>$CLAUDE_PLUGIN_DATA</c>, else the installed plugin's data dir when it
    /// exists, else <c>~/.claude-relay</c>.
    /// </summary>
    public static DataDir Resolve(string? explicitPath = null) =>
        Resolve(explicitPath, Environment.GetEnvironmentVariable, Environment.CurrentDirectory, Home)!;

    /// <summary>
    /// The same rules for any process: its <c>--data-dir</c> (relative to <paramref name="workingDirectory"/>), its
    /// <paramref name="environment"/>, its <paramref name="home"/>. Null when only the home would say, and there is none.
    /// </summary>
    public static DataDir? Resolve(string? explicitPath, Func<string, string?> environment, string workingDirectory, string? home)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return new DataDir(System.IO.Path.GetFullPath(explicitPath, workingDirectory), "--data-dir");
        }

        if (environment("CLAUDE_PLUGIN_DATA") is { Length: > 0 } pluginData)
        {
            return new DataDir(System.IO.Path.GetFullPath(pluginData.TrimEnd('/') is { Length: > 0 } p ? p : "/"), "$CLAUDE_PLUGIN_DATA");
        }

        if (string.IsNullOrEmpty(home))
        {
            return null;
        }

        var installed = InstalledPluginDataPath(home);
        return Directory.Exists(installed) ? new DataDir(installed, "installed plugin data dir") : new DataDir(FallbackPath(home), "~/.claude-relay");
    }

    public static string Home => Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home
        ? home
        : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public static string InstalledPluginDataPath(string? home = null) => System.IO.Path.Combine(home ?? Home, ".claude", "plugins", "data", PluginDataId);

    public static string FallbackPath(string? home = null) => System.IO.Path.Combine(home ?? Home, ".claude-relay");

    /// <summary>
    /// What makes this data dir unsafe (group/world-writable, or another user's), with the fix; null when it is safe.
    /// Every role refuses an unsafe data dir; <c>relay doctor</c> reports it.
    /// </summary>
    public string? SafetyProblem() => DataDirSafety.Problem(Path);

    /// <summary>Creates the directory (mode 0700) when missing. Existing directories keep their mode.</summary>
    public DataDir EnsureExists()
    {
        if (!Directory.Exists(Path))
        {
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return this;
    }
}
