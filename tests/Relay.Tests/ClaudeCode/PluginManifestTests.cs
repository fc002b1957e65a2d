using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>The plugin files as the real <c>claude plugin validate</c> sees them.</summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class PluginManifestTests
{
    [ClaudeFact]
    public async Task The_marketplace_validates_without_warnings()
    {
        await using var world = new ClaudeWorld();

        var run = await world.RunClaudeAsync(["plugin", "validate", RelayBinary.RepoRoot]);

        AssertCleanPass(run);
        Assert.Contains("marketplace.json", run.Stdout, StringComparison.Ordinal);
    }

    [ClaudeFact]
    public async Task The_plugin_manifest_and_its_command_validate_without_warnings()
    {
        await using var world = new ClaudeWorld();

        var run = await world.RunClaudeAsync(["plugin", "validate", "--strict", Path.Combine(RelayBinary.RepoRoot, ".claude-plugin", "plugin.json")]);

        AssertCleanPass(run);
        Assert.Contains("plugin.json", run.Stdout, StringComparison.Ordinal);
    }

    private static void AssertCleanPass((int ExitCode, string Stdout, string Stderr) run)
    {
        var output = run.Stdout + run.Stderr;
        Assert.True(run.ExitCode == 0, $"validate failed ({run.ExitCode}): {output}");
        Assert.Contains("✔ Validation passed", output, StringComparison.Ordinal);
        // Claude Code 2.1.332's plugin directory checks (ICON_MISSING and the like) print warnings without failing.
        Assert.Contains("✔ These checks found nothing to report", output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
    }
}
