using System.Text.Json.Nodes;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>Installing the plugin the way a user does, and the channel it registers.</summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class PluginInstallTests
{
    [ClaudeFact]
    public async Task An_installed_plugin_starts_its_channel_through_the_launcher_and_connects()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var list = await world.RunClaudeAsync(["plugin", "list", "--json"]);
        var installed = Assert.Single(JsonNode.Parse(list.Stdout)!.AsArray(), p => (string?)p!["id"] == ClaudeWorld.PluginId)!;
        Assert.True((bool?)installed["enabled"]);

        // The launcher's own path: a current native binary in the plugin data dir, found by its source stamp.
        world.Env.Remove("RELAY_LAUNCHER_BIN");
        // A launcher that misses the binary below must fail the test, not start a build that outlives it.
        world.Env["RELAY_LAUNCHER_NO_BUILD"] = "1";
        var stamp = await LauncherAsync(world, PluginMarketplaceCopy.Path, "--launcher-stamp");
        Assert.Equal(await LauncherAsync(world, RelayBinary.RepoRoot, "--launcher-stamp"), stamp);
        var bin = Path.Combine(world.DataDir, "bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "relay"), RelayBinary.Path);
        await File.WriteAllTextAsync(Path.Combine(bin, "relay.stamp"), stamp + "\n");

        var mcp = await world.RunClaudeAsync(["mcp", "list"], world.WorkDir("project"));

        Assert.True(mcp.ExitCode == 0, $"claude mcp list failed: {mcp.Stdout}{mcp.Stderr}");
        var line = Assert.Single(mcp.Stdout.Split('\n'), l => l.StartsWith("plugin:relay:relay", StringComparison.Ordinal));
        Assert.True(line.Contains("✔ Connected", StringComparison.Ordinal), $"not connected: {mcp.Stdout}{mcp.Stderr}\n{world.Diagnostics()}");
        Assert.False(File.Exists(Path.Combine(bin, "build.log")), "the launcher built instead of running the current binary");
    }

    private static async Task<string> LauncherAsync(ClaudeWorld world, string root, string flag)
    {
        await using var launcher = TrackedProcess.Start(Path.Combine(root, "bin", "relay"), [flag], world.Env);
        Assert.Equal(0, await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        return launcher.Stdout.Trim();
    }
}
