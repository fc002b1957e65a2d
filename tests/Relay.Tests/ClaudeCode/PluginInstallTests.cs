using System.Text.Json.Nodes;
using Relay.Tests.Infrastructure;
using Relay.Tests.Launcher;
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

        // The launcher's own path: a current binary next to the installed plugin's sources, found by its source stamp.
        world.Env.Remove("RELAY_LAUNCHER_BIN");
        // A launcher that misses the binary below must fail the test, not start a build that outlives it.
        world.Env["RELAY_LAUNCHER_NO_BUILD"] = "1";
        var plugin = InstallPath(world);
        var stamp = await LauncherAsync(world, plugin, "--launcher-stamp");
        Assert.Equal(await LauncherAsync(world, RelayBinary.RepoRoot, "--launcher-stamp"), stamp);
        var built = Path.Combine(plugin, "artifacts", "launcher");
        Directory.CreateDirectory(built);
        File.CreateSymbolicLink(Path.Combine(built, "relay"), RelayBinary.Path);
        await File.WriteAllTextAsync(Path.Combine(built, "relay.stamp"), stamp + "\n");

        var mcp = await world.RunClaudeAsync(["mcp", "list"], world.WorkDir("project"));

        Assert.True(mcp.ExitCode == 0, $"claude mcp list failed: {mcp.Stdout}{mcp.Stderr}");
        var line = Assert.Single(mcp.Stdout.Split('\n'), l => l.StartsWith("plugin:relay:relay", StringComparison.Ordinal));
        Assert.True(line.Contains("✔ Connected", StringComparison.Ordinal), $"not connected: {mcp.Stdout}{mcp.Stderr}\n{world.Diagnostics()}");
        Assert.False(File.Exists(Path.Combine(built, "build.log")), "the launcher built instead of running the current binary");
    }

    /// <summary>
    /// The first session after a marketplace install has no binary: the launcher starts the build and its placeholder
    /// server connects within Claude Code's start budget, offering relay_status, which the model can call.
    /// </summary>
    [ClaudeFact]
    public async Task The_first_session_after_a_marketplace_install_connects_at_once_and_is_told_relay_is_building()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var plugin = InstallPath(world);
        var sdk = new FakeSdk(Path.Combine(world.Root, "sdk"));
        sdk.Hold();
        world.Env.Remove("RELAY_LAUNCHER_BIN");
        world.Env["PATH"] = sdk.Dir + ":" + world.Env["PATH"];
        const string status = ClaudeWorld.ToolPrefix + "relay_status";
        try
        {
            var mcp = await world.RunClaudeAsync(["mcp", "list"], world.WorkDir("project"));

            var line = Assert.Single(mcp.Stdout.Split('\n'), l => l.StartsWith("plugin:relay:relay", StringComparison.Ordinal));
            Assert.True(line.Contains("✔ Connected", StringComparison.Ordinal), $"not connected: {mcp.Stdout}{mcp.Stderr}");

            // Like a real model: load the deferred tool through ToolSearch (2.1.332), then call it once.
            var session = world.StartSession("first", request =>
                request.AllToolResults.Any(t => t.Tool == status) || !request.Mentions(status) ? ModelReply.Text("noted")
                : request.ToolNames.Contains(status) ? ModelReply.Tool(status, new JsonObject())
                : ModelReply.Tool(ScriptedPeer.ToolSearch, new JsonObject { ["query"] = "select:" + status }),
                new ClaudeSessionOptions { Channel = false });
            // In -p mode a turn can start before the MCP servers are connected: ask until the tool was offered.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!world.Api.RequestsOf(session.SessionId).Any(r => r.AllToolResults.Any(t => t.Tool == status)) && DateTime.UtcNow < deadline)
            {
                await session.AskAsync("is relay ready?");
            }

            var asked = await world.WaitForRequestAsync(r => r.AllToolResults.Any(t => t.Tool == status), "the relay_status result");
            var result = Assert.Single(asked.AllToolResults, t => t.Tool == status);
            Assert.False(result.IsError, result.Text);
            Assert.Contains("relay is still being built", result.Text, StringComparison.Ordinal);
            Assert.Single(sdk.Calls);
        }
        finally
        {
            sdk.ReleaseAndWait(plugin);
        }
    }

    /// <summary>Where Claude Code put the installed plugin (its install record).</summary>
    private static string InstallPath(ClaudeWorld world)
    {
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(world.Home, ".claude", "plugins", "installed_plugins.json")))!;
        return (string)record["plugins"]![ClaudeWorld.PluginId]![0]!["installPath"]!;
    }

    private static async Task<string> LauncherAsync(ClaudeWorld world, string root, string flag)
    {
        await using var launcher = TrackedProcess.Start(Path.Combine(root, "bin", "relay"), [flag], world.Env);
        Assert.Equal(0, await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        return launcher.Stdout.Trim();
    }
}
