using Relay.Tests.Infrastructure;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// The real Claude Code CLIs the end-to-end tests drive. <see cref="Path"/> is the current release: $CLAUDE_BIN, else
/// the copy test.sh installs from npm into tools/claude-code. <see cref="LegacyPath"/> is the oldest supported
/// release for a smaller smoke: $CLAUDE_LEGACY_BIN, else tools/claude-code-legacy. A missing CLI makes its tests skip
/// loudly (<see cref="SkipReason"/>, <see cref="LegacySkipReason"/>).
/// </summary>
public static class ClaudeCli
{
    public static string? Path { get; } = Find("CLAUDE_BIN", "claude-code");

    public static string? LegacyPath { get; } = Find("CLAUDE_LEGACY_BIN", "claude-code-legacy");

    public static bool IsAvailable => Path is not null;

    public static bool IsLegacyAvailable => LegacyPath is not null;

    public static string SkipReason =>
        "!!! SKIPPED: the Claude Code CLI is not installed (run ./test.sh, or `npm ci` in tools/claude-code, or set CLAUDE_BIN) !!!";

    public static string LegacySkipReason =>
        "!!! SKIPPED: the legacy Claude Code CLI is not installed (run ./test.sh, or `npm ci` in tools/claude-code-legacy, or set CLAUDE_LEGACY_BIN) !!!";

    /// <summary>
    /// The variable when set (a missing file then means "not installed"), else the npm install in tools/TOOL: the
    /// package's <c>.bin/claude</c> when its postinstall ran, else the binary of the platform package, which is all
    /// that exists when npm skipped the postinstall.
    /// </summary>
    private static string? Find(string variable, string tool)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } bin)
        {
            return File.Exists(bin) && bin != "none" ? System.IO.Path.GetFullPath(bin) : null;
        }

        var modules = System.IO.Path.Combine(RelayBinary.RepoRoot, "tools", tool, "node_modules");
        var platform = System.IO.Path.Combine(modules, "@anthropic-ai", "claude-code-linux-" + Architecture(), "claude");
        if (File.Exists(platform))
        {
            return platform;
        }

        var local = System.IO.Path.Combine(modules, ".bin", "claude");
        return File.Exists(local) ? local : null;
    }

    private static string Architecture() =>
        System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "x64";
}
