using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

public sealed class ChannelArgumentTests
{
    private const int MaxText = 512 * 1024;

    private static readonly string[] NotAString = ["not", "a", "string"];

    private static List<(string Tool, Dictionary<string, object?> Args)> BadCalls() =>
    [
        ("relay_ask", new() { ["question"] = "no target" }),
        ("relay_ask", new() { ["to"] = "bob" }),
        ("relay_ask", new() { ["to"] = 42, ["question"] = "q" }),
        ("relay_ask", new() { ["to"] = "bob", ["question"] = NotAString }),
        ("relay_ask", new() { ["to"] = "bob", ["question"] = "q", ["thread_id"] = true }),
        ("relay_ask", new() { ["to"] = "", ["question"] = "q" }),
        ("relay_reply", new() { ["text"] = "no ask id" }),
        ("relay_reply", new() { ["ask_id"] = "a-1" }),
        ("relay_reply", new() { ["ask_id"] = "a-1", ["text"] = 3.5 }),
        ("relay_broadcast", new()),
        ("relay_broadcast", new() { ["question"] = new Dictionary<string, object> { ["nested"] = 1 } }),
        ("relay_rename", new()),
        ("relay_rename", new() { ["new_name"] = false }),
        ("relay_rename", new() { ["new_name"] = "has spaces" }),
        ("relay_rename", new() { ["new_name"] = new string('n', 65) }),
        ("relay_unknown", new()),
    ];

    [Fact]
    public async Task Missing_wrong_typed_and_invalid_arguments_fail_with_bad_args()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "bob");
        var alice = group[0];

        foreach (var (tool, args) in BadCalls())
        {
            var result = await alice.CallAsync(tool, args);
            Assert.True(result.IsError, $"{tool} {result.Text}");
            Assert.Equal("bad_args", result.Code);
            Assert.False(result.Json.GetProperty("ok").GetBoolean());
            Assert.False(string.IsNullOrWhiteSpace(result.Str("message")));
        }

        // Nothing reached bob, and the channel still works.
        Assert.False(group[1].HasPendingNotification);
        Assert.True((await alice.CallAsync("relay_peers")).Ok);
    }

    [Fact]
    public async Task Texts_over_512_KiB_fail_with_bad_args_and_a_text_of_exactly_512_KiB_arrives_intact()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "bob");
        var (alice, bob) = group;

        var tooBig = new string('x', MaxText + 1);
        Assert.Equal("bad_args", (await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = tooBig })).Code);
        Assert.Equal("bad_args", (await alice.CallAsync("relay_broadcast", new() { ["question"] = tooBig })).Code);
        Assert.Equal("bad_args", (await alice.CallAsync("relay_reply", new() { ["ask_id"] = "a-1", ["text"] = tooBig })).Code);
        // The limit counts UTF-8 bytes, not characters: 'é' is two bytes.
        var tooBigAccents = new string('é', (MaxText / 2) + 1);
        Assert.Equal("bad_args", (await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = tooBigAccents })).Code);

        var exact = string.Concat(Enumerable.Repeat("0123456789abcdef", MaxText / 16));
        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = exact }, TimeSpan.FromSeconds(30));
        Assert.True(ask.Ok, ask.Text.Length > 300 ? ask.Text[..300] : ask.Text);
        var incoming = await bob.NextNotificationAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(exact.Length, incoming.Content.Length);
        Assert.Equal(exact, incoming.Content);
    }
}
