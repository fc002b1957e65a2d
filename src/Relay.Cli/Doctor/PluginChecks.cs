using System.Text.Json;
using Relay.Protocol;

namespace Relay.Cli.Doctor;

/// <summary>Is relay installed and enabled in Claude Code, and is the launcher's native binary in place?</summary>
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

    /// <summary>
    /// The plugin launcher (<c>bin/relay</c> of the plugin) keeps a native build at <c>&lt;data&gt;/bin/relay</c> and
    /// the source stamp it was built from in <c>relay.stamp</c>; it is current when the launcher computes the same stamp.
    /// </summary>
    public static DoctorCheck NativeBinary(DataDir dataDir)
    {
        const string name = "native binary";
        var bin = Path.Combine(dataDir.Path, "bin");
        var binary = Path.Combine(bin, "relay");
        var stampFile = binary + ".stamp";
        if (!File.Exists(binary))
        {
            return Directory.Exists(Path.Combine(bin, "fdd"))
                ? DoctorCheck.Info(name, $"no native build yet in {bin}; sessions run the framework-dependent build while it is built (see {Path.Combine(bin, "build.log")})")
                : DoctorCheck.Info(name, $"not installed via the plugin launcher (no {binary}); this relay runs from {Environment.ProcessPath}");
        }

        var mode = File.GetUnixFileMode(binary);
        var rebuild = $"rm {FileChecks.Quote(binary)}   # the launcher rebuilds it at the next session start";
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            return DoctorCheck.Fail(name, $"{binary} is not executable (mode {FileChecks.Octal(mode)})", rebuild);
        }

        string stamp;
        try
        {
            stamp = File.Exists(stampFile) ? File.ReadAllText(stampFile).Trim() : string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DoctorCheck.Warn(name, $"could not read {stampFile} ({ex.Message})");
        }

        if (stamp.Length == 0)
        {
            return DoctorCheck.Warn(name, $"{binary} has no build stamp; the launcher will not use it", rebuild);
        }

        if (FindLauncher() is not { } launcher)
        {
            return DoctorCheck.Ok(name, $"{binary} (stamp {stamp}; no plugin launcher found to compare with)");
        }

        var current = LauncherStamp(launcher);
        if (current is null)
        {
            return DoctorCheck.Warn(name, $"{binary} (stamp {stamp}); `{launcher} --launcher-stamp` did not answer", $"{launcher} --launcher-which   # explains what runs");
        }

        return current == stamp
            ? DoctorCheck.Ok(name, $"{binary} is current (stamp {stamp})")
            : DoctorCheck.Warn(name, $"{binary} was built from other sources (stamp {stamp}, plugin sources {current}); the next session start rebuilds it", $"{launcher} --launcher-build   # rebuild now");
    }

    /// <summary>The plugin's launcher script: from the install record, else the <c>~/.local/bin/relay</c> link.</summary>
    private static string? FindLauncher()
    {
        var candidates = new List<string>();
        try
        {
            var file = Path.Combine(ClaudeDir, "plugins", "installed_plugins.json");
            if (File.Exists(file))
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                if (document.RootElement.TryGetProperty("plugins", out var plugins) && plugins.ValueKind == JsonValueKind.Object
                    && plugins.TryGetProperty(PluginId, out var entry))
                {
                    foreach (var install in entry.ValueKind == JsonValueKind.Array ? entry.EnumerateArray().ToArray() : [entry])
                    {
                        if (install.ValueKind == JsonValueKind.Object && Field(install, "installPath", string.Empty) is { Length: > 0 } path)
                        {
                            candidates.Add(Path.Combine(path, "bin", "relay"));
                        }
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
        }

        candidates.Add(Path.Combine(DataDir.Home, ".local", "bin", "relay"));
        return candidates.FirstOrDefault(IsLauncherScript);
    }

    private static bool IsLauncherScript(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            using var reader = new StreamReader(path);
            var buffer = new char[512];
            var head = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
            return head.StartsWith("#!", StringComparison.Ordinal) && head.Contains("relay launcher", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Runs <c>launcher --launcher-stamp</c> (only hashes the sources; builds nothing).</summary>
    private static string? LauncherStamp(string launcher)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(launcher);
        start.ArgumentList.Add("--launcher-stamp");
        // This variable makes the launcher exec a binary instead of answering.
        start.Environment.Remove("RELAY_LAUNCHER_BIN");
        try
        {
            using var process = System.Diagnostics.Process.Start(start);
            if (process is null)
            {
                return null;
            }

            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 && output.Wait(1000) ? output.Result.Trim() : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return null;
        }
    }

    private static string? Field(JsonElement element, string property, string prefix) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? prefix + value.GetString() : null;
}
