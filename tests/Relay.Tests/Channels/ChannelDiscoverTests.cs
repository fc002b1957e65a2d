using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

/// <summary>
/// Claude Code 2.1.332 probes every stdio server with <c>server/discover</c> before <c>initialize</c>; a server that
/// answers it becomes "modern" and gets no channel. The channel must refuse the probe and stay on the handshake.
/// </summary>
public sealed class ChannelDiscoverTests
{
    // The probe exactly as Claude Code 2.1.332 sends it.
    private const string Probe =
        """{"jsonrpc":"2.0","id":"server-discover-probe-1","method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"claude-code","version":"2.1.332"},"io.modelcontextprotocol/clientCapabilities":{}}}}""";

    [Fact]
    public async Task Server_discover_gets_method_not_found_and_the_initialize_handshake_then_works_with_pushes()
    {
        await using var sandbox = new RelaySandbox();
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"));
        await using var raw = RawChannel.Start(sandbox, sandbox.WorkDir("raw"));

        await raw.SendAsync(Probe);
        var refused = await raw.NextAsync();
        Assert.Equal("server-discover-probe-1", (string?)refused["id"]);
        Assert.Null(refused["result"]);
        Assert.Equal(-32601, (int?)refused["error"]!["code"]);

        await raw.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"claude-code","version":"2.1.332"}}}""");
        var initialized = await raw.NextAsync();
        Assert.Equal(1, (int?)initialized["id"]);
        Assert.Equal("2025-11-25", (string?)initialized["result"]!["protocolVersion"]);
        Assert.NotNull(initialized["result"]!["capabilities"]!["experimental"]!["claude/channel"]);
        await raw.SendAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await raw.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        Assert.Equal(6, (await raw.NextAsync())["result"]!["tools"]!.AsArray().Count);

        // A second probe later on is refused the same way and changes nothing.
        await raw.SendAsync(Probe.Replace("probe-1", "probe-2", StringComparison.Ordinal));
        Assert.Equal(-32601, (int?)(await raw.NextAsync())["error"]!["code"]);

        await Poll.ForAsync(
            () => alice.CallAsync("relay_peers"),
            r => r.Ok && r.Json.GetProperty("peers").GetArrayLength() == 1,
            TimeSpan.FromSeconds(10),
            "the raw channel to register");
        Assert.True((await alice.CallAsync("relay_ask", new() { ["to"] = "raw", ["question"] = "still a channel?" })).Ok);
        var push = await raw.NextAsync();
        Assert.Equal("notifications/claude/channel", (string?)push["method"]);
        Assert.Equal("still a channel?", (string?)push["params"]!["content"]);
    }
}
