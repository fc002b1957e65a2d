using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Relay.Tests.ClaudeCode;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Launcher;

/// <summary>
/// The real <c>bin/relay</c> launcher in a private copy of the plugin, with <see cref="FakeSdk"/> standing in for the
/// .NET SDK on PATH.
/// </summary>
public sealed class LauncherTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rll-").FullName;
    private readonly string _plugin;
    private readonly FakeSdk _sdk;

    public LauncherTests()
    {
        _plugin = Path.Combine(_root, "plugin");
        PluginMarketplaceCopy.CopyTo(_plugin);
        _sdk = new FakeSdk(Path.Combine(_root, "sdk"));
    }

    private string Launcher => Path.Combine(_plugin, "bin", "relay");

    [Fact]
    public async Task A_first_mcp_start_answers_at_once_and_relay_status_follows_the_one_build_to_the_binary()
    {
        _sdk.Hold();
        await using (var mcp = await StartMcpAsync())
        {
            // The MCP SDK's own client did the handshake: the placeholder speaks the protocol.
            Assert.Contains("being built", mcp.ServerInstructions, StringComparison.Ordinal);
            var tool = Assert.Single(await mcp.ListToolsAsync());
            Assert.Equal("relay_status", tool.Name);

            var building = await mcp.CallToolAsync("relay_status");

            Assert.NotEqual(true, building.IsError);
            Assert.Contains("relay is still being built", Text(building), StringComparison.Ordinal);
            Assert.StartsWith("building ", await RunAsync("--launcher-status"), StringComparison.Ordinal);
            Assert.Equal("info", await DoctorStatusAsync());

            _sdk.Release();
            await WaitForStatusAsync("current");
            var built = await mcp.CallToolAsync("relay_status");

            Assert.NotEqual(true, built.IsError);
            Assert.Contains("relay is built", Text(built), StringComparison.Ordinal);
        }

        Assert.Equal("built relay --version", await RunAsync("--version"));
        Assert.Equal("ok", await DoctorStatusAsync());
        Assert.Single(_sdk.Calls);
        Assert.Contains("publish", _sdk.Calls[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_build_is_reported_with_its_error_and_a_session_start_does_not_retry_it()
    {
        _sdk.Fail("no SDK in this test");
        await using (var first = await StartMcpAsync())
        {
            await WaitForStatusAsync("failed");
            var result = await first.CallToolAsync("relay_status");

            Assert.True(result.IsError);
            Assert.Contains("the build failed: error NETSDK0000: no SDK in this test", Text(result), StringComparison.Ordinal);
            Assert.Contains($"{Launcher} --launcher-build", Text(result), StringComparison.Ordinal);
        }

        await using (var second = await StartMcpAsync())
        {
            Assert.True((await second.CallToolAsync("relay_status")).IsError);
        }

        Assert.Equal("fail", await DoctorStatusAsync());
        Assert.Single(_sdk.Calls);
    }

    [Fact]
    public async Task Commands_started_together_without_a_binary_wait_for_one_build()
    {
        _sdk.Hold();
        await using var a = TrackedProcess.Start(Launcher, ["--version"], Env());
        await using var b = TrackedProcess.Start(Launcher, ["peers"], Env());
        await WaitForStatusAsync("building");

        _sdk.Release();

        Assert.Equal(0, await a.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await b.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("built relay --version", a.Stdout.Trim());
        Assert.Equal("built relay peers", b.Stdout.Trim());
        Assert.Contains("building relay", a.Stderr + b.Stderr, StringComparison.Ordinal);
        Assert.Single(_sdk.Calls);
    }

    [Fact]
    public async Task A_hook_without_a_binary_does_nothing_and_builds_nothing()
    {
        await using var hook = TrackedProcess.Start(Launcher, ["hook", "prompt-submit"], Env());

        Assert.Equal(0, await hook.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(string.Empty, hook.Stdout);
        Assert.Empty(_sdk.Calls);
        Assert.StartsWith("missing ", await RunAsync("--launcher-status"), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        // A build held by the test must end before its folder goes.
        _sdk.ReleaseAndWait(_plugin);
        Directory.Delete(_root, recursive: true);
    }

    private Dictionary<string, string?> Env() => new()
    {
        ["PATH"] = _sdk.Dir + ":/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = Path.Combine(_root, "home"),
        ["RELAY_LAUNCHER_BIN"] = null,
        ["RELAY_LAUNCHER_NO_BUILD"] = null,
    };

    private async Task<McpClient> StartMcpAsync()
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = Launcher,
            Arguments = ["mcp"],
            EnvironmentVariables = Env(),
            WorkingDirectory = _root,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
    }

    private async Task<string> RunAsync(params string[] args)
    {
        await using var process = TrackedProcess.Start(Launcher, args, Env(), _root);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"bin/relay {string.Join(' ', args)} exited {code}: {process.Stdout}{process.Stderr}");
        return process.Stdout.Trim();
    }

    /// <summary>The status of the doctor's launcher check, with the launcher linked as <c>~/.local/bin/relay</c>.</summary>
    private async Task<string?> DoctorStatusAsync()
    {
        var home = Path.Combine(_root, "home");
        var link = Path.Combine(home, ".local", "bin", "relay");
        if (!File.Exists(link))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, Launcher);
        }

        var env = Env();
        env["CLAUDE_CONFIG_DIR"] = Path.Combine(home, ".claude");
        await using var doctor = TrackedProcess.Start(RelayBinary.Path, ["doctor", "--json", "--data-dir", Path.Combine(_root, "data")], env, _root);
        await doctor.WaitForExitAsync(TimeSpan.FromSeconds(60));
        using var report = JsonDocument.Parse(doctor.Stdout);
        var check = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "launcher");
        return check.GetProperty("status").GetString();
    }

    private async Task WaitForStatusAsync(string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string status;
        while (!(status = await RunAsync("--launcher-status")).StartsWith(state + " ", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the launcher never reported '{state}'; last: {status}");
            await Task.Delay(200);
        }
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
