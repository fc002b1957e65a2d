using System.Text;
using System.Text.Json;
using Relay.Inbox;

namespace Relay.Cli.Doctor.Sessions;

/// <summary>
/// Reads the settings sources one Claude Code session loads: managed settings, <c>--settings</c> (a file or JSON) from
/// its command line, <c>.claude/settings.local.json</c> and <c>.claude/settings.json</c> in its folder, and the user's
/// <c>settings.json</c>, honouring <c>--setting-sources</c>. Files over <see cref="MaxBytes"/> are not read.
/// </summary>
internal static class SessionSettingsReader
{
    public const string PolicyFile = "/etc/claude-code/managed-settings.json";
    public const int MaxBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 };

    /// <param name="home">The session's config folder (where its session record lives).</param>
    /// <param name="args">The session's command line.</param>
    /// <param name="projectDir">The session's folder (the record's cwd).</param>
    /// <param name="processCwd">The process's working directory, for a relative <c>--settings</c> path.</param>
    /// <param name="policyFile">Managed settings; tests pass their own.</param>
    public static IReadOnlyList<SettingsLayer> Read(ClaudeHome home, IReadOnlyList<string> args, string? projectDir, string? processCwd, string policyFile = PolicyFile)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(args);
        var enabled = EnabledSources(args);
        var layers = new List<SettingsLayer?> { FromFile(SettingsSources.Policy, policyFile) };
        if (OptionValue(args, "--settings") is { Length: > 0 } flag)
        {
            layers.Add(flag.TrimStart().StartsWith('{')
                ? FromJson(SettingsSources.Flag, "--settings JSON", Encoding.UTF8.GetBytes(flag))
                : FromFile(SettingsSources.Flag, Path.GetFullPath(flag, processCwd ?? projectDir ?? "/")));
        }

        if (projectDir is { Length: > 0 } && Path.IsPathFullyQualified(projectDir))
        {
            if (enabled.Contains("local"))
            {
                layers.Add(FromFile(SettingsSources.Local, Path.Combine(projectDir, ".claude", "settings.local.json")));
            }

            if (enabled.Contains("project"))
            {
                layers.Add(FromFile(SettingsSources.Project, Path.Combine(projectDir, ".claude", "settings.json")));
            }
        }

        if (enabled.Contains("user"))
        {
            layers.Add(FromFile(SettingsSources.User, Path.Combine(home.ConfigDir, "settings.json")));
        }

        return [.. layers.OfType<SettingsLayer>()];
    }

    /// <summary>The value of <c>--name value</c> or <c>--name=value</c>; the last one wins, as with Claude Code's parser.</summary>
    public static string? OptionValue(IReadOnlyList<string> args, string name)
    {
        string? value = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == name && i + 1 < args.Count)
            {
                value = args[++i];
            }
            else if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                value = args[i][(name.Length + 1)..];
            }
        }

        return value;
    }

    /// <summary><c>--setting-sources user,project,local</c> limits which of those load; policy and flag settings always do.</summary>
    private static HashSet<string> EnabledSources(IReadOnlyList<string> args) =>
        OptionValue(args, "--setting-sources") is { } list
            ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : ["user", "project", "local"];

    private static SettingsLayer? FromFile(string source, string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxBytes)
            {
                return new SettingsLayer(source, path) { Error = $"larger than {MaxBytes} bytes; not read" };
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return FromJson(source, path, bytes);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SettingsLayer(source, path) { Error = ex.Message };
        }
    }

    public static SettingsLayer FromJson(string source, string where, byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Lenient);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new SettingsLayer(source, where) { Error = "not a JSON object" };
            }

            string? inbound = null;
            string? invalid = null;
            if (root.TryGetProperty("crossSessionInbound", out var value))
            {
                if (value.ValueKind == JsonValueKind.String && InboundValues.IsValid(value.GetString()))
                {
                    inbound = value.GetString();
                }
                else
                {
                    invalid = value.GetRawText();
                }
            }

            string? defaultMode = null;
            var disablesBypass = false;
            if (root.TryGetProperty("permissions", out var permissions) && permissions.ValueKind == JsonValueKind.Object)
            {
                if (permissions.TryGetProperty("defaultMode", out var mode) && mode.ValueKind == JsonValueKind.String)
                {
                    // "manual" is Claude Code's alias for "default".
                    defaultMode = mode.GetString() is "manual" ? PermissionMode.Default : mode.GetString();
                }

                disablesBypass = permissions.TryGetProperty("disableBypassPermissionsMode", out var disable)
                    && disable.ValueKind == JsonValueKind.String && disable.GetString() == "disable";
            }

            return new SettingsLayer(source, where) { Inbound = inbound, InvalidInbound = invalid, DefaultMode = defaultMode, DisablesBypass = disablesBypass };
        }
        catch (JsonException ex)
        {
            return new SettingsLayer(source, where) { Error = "invalid JSON: " + ex.Message };
        }
    }
}
