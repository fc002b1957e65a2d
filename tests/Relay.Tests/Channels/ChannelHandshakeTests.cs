using System.Text.Json;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

public sealed class ChannelHandshakeTests
{
    [Fact]
    public async Task Initialize_declares_the_claude_channel_capability_tools_and_short_instructions()
    {
        await using var sandbox = new RelaySandbox();
        await using var channel = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alpha"));

        var capabilities = channel.Mcp.ServerCapabilities;
        Assert.NotNull(capabilities.Experimental);
        Assert.True(capabilities.Experimental.ContainsKey("claude/channel"));
        var value = JsonSerializer.SerializeToElement(capabilities.Experimental["claude/channel"]);
        Assert.Equal(JsonValueKind.Object, value.ValueKind);
        Assert.Empty(value.EnumerateObject());
        Assert.NotNull(capabilities.Tools);

        var instructions = channel.Mcp.ServerInstructions;
        Assert.NotNull(instructions);
        Assert.InRange(instructions.Length, 200, 2047);
        Assert.Contains("<channel source=\"plugin:relay:relay\"", instructions, StringComparison.Ordinal);
        foreach (var tool in new[] { "relay_reply", "relay_peers", "relay_ask", "relay_broadcast", "relay_rename", "relay_inbox", "ask_id", "broadcast_id" })
        {
            Assert.Contains(tool, instructions, StringComparison.Ordinal);
        }

        Assert.Equal("relay", channel.Mcp.ServerInfo?.Name);
    }

    [Fact]
    public async Task Tools_list_has_the_six_tools_with_their_required_arguments()
    {
        await using var sandbox = new RelaySandbox();
        await using var channel = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alpha"));

        var tools = await channel.Mcp.ListToolsAsync();
        var byName = tools.ToDictionary(t => t.Name, t => t.ProtocolTool);
        Assert.Equal(["relay_ask", "relay_broadcast", "relay_inbox", "relay_peers", "relay_rename", "relay_reply"], byName.Keys.Order(StringComparer.Ordinal));

        Assert.Empty(Required(byName["relay_peers"].InputSchema));
        Assert.Equal(["question", "to"], Required(byName["relay_ask"].InputSchema));
        Assert.Equal(["ask_id", "text"], Required(byName["relay_reply"].InputSchema));
        Assert.Equal(["question"], Required(byName["relay_broadcast"].InputSchema));
        Assert.Equal(["new_name"], Required(byName["relay_rename"].InputSchema));
        Assert.Empty(Required(byName["relay_inbox"].InputSchema));

        foreach (var tool in byName.Values)
        {
            Assert.Equal("object", tool.InputSchema.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(tool.Description));
            foreach (var property in tool.InputSchema.GetProperty("properties").EnumerateObject())
            {
                Assert.Equal("string", property.Value.GetProperty("type").GetString());
            }
        }

        Assert.True(byName["relay_ask"].InputSchema.GetProperty("properties").TryGetProperty("thread_id", out _));
    }

    private static string[] Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal)] : [];
}
