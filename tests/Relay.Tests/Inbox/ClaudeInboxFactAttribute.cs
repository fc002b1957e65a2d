using System.Diagnostics;
using Relay.Tests.ClaudeCode;
using Relay.Tests.Infrastructure;

namespace Relay.Tests.Inbox;

/// <summary>A fact that needs a real Claude Code CLI with the native inbox (≥ 2.1.224); skipped, loudly, otherwise.</summary>
public sealed class ClaudeInboxFactAttribute() : LoudSkipFactAttribute(SkipReason)
{
    private static readonly Version FirstWithInbox = new(2, 1, 224);
    private static readonly Lazy<Version?> CliVersion = new(ReadVersion);

    private static string? SkipReason =>
        !ClaudeCli.IsAvailable
            ? ClaudeCli.SkipReason
            : CliVersion.Value is not { } version || version < FirstWithInbox
                ? $"!!! SKIPPED: Claude Code {CliVersion.Value?.ToString() ?? "(unknown version)"} has no native inbox (needs ≥ {FirstWithInbox}; set CLAUDE_BIN) !!!"
                : null;

    private static Version? ReadVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(ClaudeCli.Path!, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(20_000))
            {
                process.Kill();
                return null;
            }

            var first = output.Trim().Split(' ')[0];
            return Version.TryParse(first, out var version) ? version : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
