using System.Diagnostics;
using System.Text.Json.Nodes;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

/// <summary>
/// Pushes are held until the client is ready, but never forever: after <c>notifications/initialized</c>, a first
/// <c>tools/call</c> opens the gate as a first <c>tools/list</c> does, and without either the gate opens after the
/// fallback delay.
/// </summary>
public sealed class ChannelPushGateTests
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    private const string Initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";

    [Fact]
    public async Task A_tools_call_without_any_tools_list_opens_the_gate()
    {
        await using var sandbox = new RelaySandbox();
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"));
        // The fallback is far away: only the tools/call can open the gate within this test.
        await using var raw = RawChannel.Start(sandbox, sandbox.WorkDir("raw"), new Dictionary<string, string?> { ["RELAY_PUSH_FALLBACK_MS"] = "600000" });
        await raw.SendAsync(Initialize);
        Assert.Equal(1, (int?)(await raw.NextAsync())["id"]);
        await raw.SendAsync(Initialized);
        await AskAsync(alice, "raw", ["one", "two"]);

        await Task.Delay(1500);
        Assert.Equal(0, raw.Buffered);

        await raw.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"relay_peers","arguments":{}}}""");
        var lines = new List<JsonNode>();
        while (lines.Count(IsPush) < 2)
        {
            lines.Add(await raw.NextAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.Contains(lines, l => (int?)l["id"] == 2 && l["result"] is not null);
        Assert.Equal(["one", "two"], lines.Where(IsPush).Select(l => (string?)l["params"]!["content"]));
    }

    [Fact]
    public async Task Without_tools_list_or_tools_call_pushes_flow_after_the_fallback_delay()
    {
        await using var sandbox = new RelaySandbox();
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"));
        await using var raw = RawChannel.Start(sandbox, sandbox.WorkDir("raw"), new Dictionary<string, string?> { ["RELAY_PUSH_FALLBACK_MS"] = "2000" });
        await raw.SendAsync(Initialize);
        Assert.Equal(1, (int?)(await raw.NextAsync())["id"]);
        await AskAsync(alice, "raw", ["held"]);

        var stopwatch = Stopwatch.StartNew();
        await raw.SendAsync(Initialized);
        var push = await raw.NextAsync(TimeSpan.FromSeconds(15));

        Assert.True(IsPush(push), push.ToJsonString());
        Assert.Equal("held", (string?)push["params"]!["content"]);
        Assert.True(stopwatch.ElapsedMilliseconds >= 1500, $"delivered {stopwatch.ElapsedMilliseconds} ms after initialized, before the 2 s fallback");
    }

    private static bool IsPush(JsonNode line) => (string?)line["method"] == "notifications/claude/channel";

    private static async Task AskAsync(ChannelClient from, string to, IReadOnlyList<string> questions)
    {
        await Poll.ForAsync(
            () => from.CallAsync("relay_peers"),
            r => r.Ok && r.Json.GetProperty("peers").GetArrayLength() == 1,
            TimeSpan.FromSeconds(10),
            $"{to} to register");
        foreach (var question in questions)
        {
            Assert.True((await from.CallAsync("relay_ask", new() { ["to"] = to, ["question"] = question })).Ok);
        }
    }
}
