using Relay.Tests.Infrastructure;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// The real Claude Code CLI the end-to-end tests drive: $CLAUDE_BIN, else the copy test.sh installs from npm into
/// tools/claude-code. When neither exists the Claude Code tests skip with <see cref="SkipReason"/>.
/// </summary>
public static class ClaudeCli
{
    public static string? Path { get; } = Find();

    public static bool IsAvailable => Path is not null;

    public static string SkipReason =>
        "!!! SKIPPED: the Claude Code CLI is not installed (run ./test.sh, or `npm ci` in tools/claude-code, or set CLAUDE_BIN) !!!";

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CLAUDE_BIN") is { Length: > 0 } bin)
        {
            return File.Exists(bin) ? System.IO.Path.GetFullPath(bin) : null;
        }

        var local = System.IO.Path.Combine(RelayBinary.RepoRoot, "tools", "claude-code", "node_modules", ".bin", "claude");
        return File.Exists(local) ? local : null;
    }
}
