using System.Diagnostics;
using System.Text.Json;
using Relay.Runtime;

namespace Relay.Cli.Doctor;

/// <summary>
/// Does the plugin's launcher (<c>bin/relay</c>) have a binary to run? The launcher answers that itself
/// (<c>--launcher-status</c>: one line, a state word and details); this check only finds the launcher and maps the state.
/// </summary>
internal static class LauncherCheck
{
    public const string Name = "launcher";

    public static DoctorCheck Run()
    {
        if (Find() is not { } launcher)
        {
            return DoctorCheck.Info(Name, $"no plugin launcher found (not in the plugin install record, no ~/.local/bin/relay link); this relay runs from {Environment.ProcessPath}");
        }

        var build = $"{launcher} --launcher-build";
        if (Status(launcher) is not { } line)
        {
            return DoctorCheck.Warn(Name, $"`{launcher} --launcher-status` did not answer", build);
        }

        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var (state, details) = space < 0 ? (line, string.Empty) : (line[..space], line[(space + 1)..]);
        return state switch
        {
            "current" => DoctorCheck.Ok(Name, $"{launcher} runs {details}"),
            "building" => DoctorCheck.Info(Name, $"{launcher} is building relay: {details}; sessions started meanwhile get relay_status only"),
            "failed" => DoctorCheck.Fail(Name, $"{launcher}: {details}; sessions get relay_status only", build),
            "missing" => DoctorCheck.Warn(Name, $"{launcher}: no current binary, {details}", build),
            _ => DoctorCheck.Warn(Name, $"`{launcher} --launcher-status` answered '{line}'", build),
        };
    }

    /// <summary>The plugin's launcher: from the install record, else the <c>~/.local/bin/relay</c> link.</summary>
    private static string? Find()
    {
        var candidates = new List<string>();
        try
        {
            var file = Path.Combine(PluginChecks.ClaudeDir, "plugins", "installed_plugins.json");
            if (File.Exists(file))
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                if (document.RootElement.TryGetProperty("plugins", out var plugins) && plugins.ValueKind == JsonValueKind.Object
                    && plugins.TryGetProperty(PluginChecks.PluginId, out var entry))
                {
                    foreach (var install in entry.ValueKind == JsonValueKind.Array ? entry.EnumerateArray().ToArray() : [entry])
                    {
                        if (install.ValueKind == JsonValueKind.Object && PluginChecks.Field(install, "installPath", string.Empty) is { Length: > 0 } path)
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
        return candidates.FirstOrDefault(IsLauncher);
    }

    private static bool IsLauncher(string path)
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

    /// <summary>Runs <c>launcher --launcher-status</c> (it hashes the sources and looks; it builds nothing).</summary>
    private static string? Status(string launcher)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(launcher);
        start.ArgumentList.Add("--launcher-status");
        // With this variable the launcher would report the override, not what the plugin runs.
        start.Environment.Remove("RELAY_LAUNCHER_BIN");
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 && output.Wait(1000) && output.Result.Trim() is { Length: > 0 } line ? line : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return null;
        }
    }
}
