using System.Text.Json.Nodes;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary><c>install.sh</c> in a scratch HOME with the real Claude Code CLI on PATH: installs, is idempotent, uninstalls.</summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class InstallScriptTests
{
    [ClaudeFact]
    public async Task Install_twice_changes_nothing_the_second_time_and_uninstall_removes_everything()
    {
        await using var world = new ClaudeWorld();
        // A private checkout: install.sh builds into it and uninstall removes that build.
        var repo = Path.Combine(world.Root, "repo");
        PluginMarketplaceCopy.CopyTo(repo);
        var tools = Path.Combine(world.Root, "tools");
        Directory.CreateDirectory(tools);
        File.CreateSymbolicLink(Path.Combine(tools, "claude"), ClaudeCli.Path!);
        world.Env["PATH"] = tools + ":/usr/local/bin:/usr/bin:/bin";
        world.Env.Remove("RELAY_LAUNCHER_BIN");
        // A launcher that misses the binary below must fail the test, not start a build that outlives it.
        world.Env["RELAY_LAUNCHER_NO_BUILD"] = "1";
        // The binary under test, current for these sources, where install.sh builds: the build step finds it done.
        var bin = Path.Combine(repo, "artifacts", "launcher");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "relay"), RelayBinary.Path);
        await File.WriteAllTextAsync(Path.Combine(bin, "relay.stamp"), await RunAsync(world, Path.Combine(repo, "bin", "relay"), "--launcher-stamp") + "\n");
        var binaries = Directory.GetFileSystemEntries(bin).Order(StringComparer.Ordinal).ToList();
        var link = Path.Combine(world.Home, ".local", "bin", "relay");
        var command = Path.Combine(world.Home, ".claude", "commands", "relay-rename.md");
        string[] state =
        [
            Path.Combine(world.Home, ".claude", "settings.json"),
            Path.Combine(world.Home, ".claude", "plugins", "installed_plugins.json"),
            Path.Combine(world.Home, ".claude", "plugins", "known_marketplaces.json"),
        ];

        var first = await RunAsync(world, Path.Combine(repo, "install.sh"));

        Assert.Contains("Start Claude Code as usual: every session can now ask and be asked (plain 'claude', no flag needed;", first, StringComparison.Ordinal);
        Assert.Contains("Optional: to get peer messages as relay's own <channel> turns instead", first, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(repo, "bin", "relay"), new FileInfo(link).LinkTarget);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(repo, "commands", "relay-rename.md")), await File.ReadAllTextAsync(command));
        Assert.Contains(ClaudeWorld.PluginId, await InstalledPluginsAsync(world));
        Assert.Contains("artifacts/launcher/relay is current", first, StringComparison.Ordinal);
        Assert.Equal(binaries, Directory.GetFileSystemEntries(bin).Order(StringComparer.Ordinal));
        // The plugin install copied the built binary along: the installed plugin's first session runs it at once.
        var installed = (string)JsonNode.Parse(await File.ReadAllTextAsync(state[1]))!["plugins"]![ClaudeWorld.PluginId]![0]!["installPath"]!;
        Assert.StartsWith("current ", await RunAsync(world, Path.Combine(installed, "bin", "relay"), "--launcher-status"), StringComparison.Ordinal);
        var before = state.Select(File.ReadAllText).ToList();

        var second = await RunAsync(world, Path.Combine(repo, "install.sh"));

        Assert.Contains("plugin relay@claude-relay already installed", second, StringComparison.Ordinal);
        Assert.Equal(before, state.Select(File.ReadAllText));

        await RunAsync(world, Path.Combine(repo, "install.sh"), "--uninstall");

        Assert.False(File.Exists(link) || new FileInfo(link).LinkTarget is not null, "the relay link is still there");
        Assert.False(File.Exists(command), "the user-level command is still there");
        Assert.Empty(await InstalledPluginsAsync(world));
        Assert.Empty(JsonNode.Parse((await world.RunClaudeAsync(["plugin", "marketplace", "list", "--json"])).Stdout)!.AsArray());
        Assert.False(Directory.Exists(bin), "the built binary is still there");
    }

    private static async Task<IReadOnlyList<string?>> InstalledPluginsAsync(ClaudeWorld world)
    {
        var list = await world.RunClaudeAsync(["plugin", "list", "--json"]);
        // Claude Code 2.1.332 also lists its own built-in plugins (cc-plugin-…@builtin), installed or not.
        return [.. JsonNode.Parse(list.Stdout)!.AsArray().Select(p => (string?)p!["id"]).Where(id => id?.EndsWith("@builtin", StringComparison.Ordinal) != true)];
    }

    private static async Task<string> RunAsync(ClaudeWorld world, string program, params string[] args)
    {
        await using var process = TrackedProcess.Start(program, args, world.Env, world.Root);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(code == 0, $"{Path.GetFileName(program)} {string.Join(' ', args)} exited {code}: {process.Stdout}{process.Stderr}");
        return (process.Stdout + process.Stderr).Trim();
    }
}
