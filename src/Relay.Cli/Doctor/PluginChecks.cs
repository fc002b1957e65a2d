using System.Text.Json;
using Relay.Runtime;

namespace Relay.Cli.Doctor;

/// <summary>Is relay installed and enabled in Claude Code?</summary>
internal static class PluginChecks
{
    public const string PluginId = "relay@claude-relay";
    private const string InstallFix = "run ./install.sh in the relay repo, or in Claude Code: /plugin marketplace add <repo> then /plugin install relay@claude-relay";

    /// <summary>Claude Code's config folder: <c>$CLAUDE_CONFIG_DIR</c> or <c>~/.claude</c>.</summary>
    public static string ClaudeDir => Environment.GetEnvironmentVariable("CLAUDE_CONFIG_DIR") is { Length: > 0 } dir ? dir : Path.Combine(DataDir.Home, ".claude");

    public static DoctorCheck Installed()
    {
        const string name = "plugin installed";
        var file = Path.Combine(ClaudeDir, "plugins", "installed_plugins.json");
        if (!File.Exists(file))
        {
            return DoctorCheck.Warn(name, $"{PluginId} is not installed in Claude Code ({file} does not exist); the CLI works, sessions cannot join", InstallFix);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            if (document.RootElement.TryGetProperty("plugins", out var plugins) && plugins.ValueKind == JsonValueKind.Object
                && plugins.TryGetProperty(PluginId, out var entry))
            {
                // Version 2 keeps a list of installs (one per scope); version 1 kept one object.
                var install = entry.ValueKind == JsonValueKind.Array && entry.GetArrayLength() > 0 ? entry[0] : entry;
                var details = install.ValueKind == JsonValueKind.Object
                    ? string.Join(", ", new[] { Field(install, "version", "version "), Field(install, "scope", "scope "), Field(install, "installPath", "at ") }.Where(s => s is not null))
                    : string.Empty;
                return DoctorCheck.Ok(name, details.Length > 0 ? $"{PluginId} ({details})" : PluginId);
            }

            return DoctorCheck.Warn(name, $"{PluginId} is not in {file}; the CLI works, sessions cannot join", InstallFix);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return DoctorCheck.Warn(name, $"could not read {file} ({ex.Message})", "claude plugin list   # shows what Claude Code sees");
        }
    }

    public static DoctorCheck Enabled()
    {
        const string name = "plugin enabled";
        var file = Path.Combine(ClaudeDir, "settings.json");
        const string fix = "claude plugin enable relay@claude-relay";
        if (!File.Exists(file))
        {
            return DoctorCheck.Warn(name, $"{file} does not exist, so {PluginId} is not enabled", fix);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.TryGetProperty("enabledPlugins", out var enabled) && enabled.ValueKind == JsonValueKind.Object
                && enabled.TryGetProperty(PluginId, out var value))
            {
                return value.ValueKind == JsonValueKind.True
                    ? DoctorCheck.Ok(name, $"enabledPlugins[\"{PluginId}\"] is true in {file}")
                    : DoctorCheck.Warn(name, $"enabledPlugins[\"{PluginId}\"] is {value.GetRawText()} in {file}", fix);
            }

            return DoctorCheck.Warn(name, $"{PluginId} is not in enabledPlugins of {file}", fix);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return DoctorCheck.Warn(name, $"could not read {file} ({ex.Message})", "fix the JSON syntax of " + file);
        }
    }

    internal static string? Field(JsonElement element, string property, string prefix) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? prefix + value.GetString() : null;
}
