using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Relay.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Relay.Tests.Channels;

/// <summary>
/// Seeded fuzzing of the channel's tool arguments: random tool names and argument objects (wrong types, huge
/// numbers, nesting, over-long and odd strings, unknown keys) through a real MCP client. Every call must get exactly
/// one answer (a tool result or a JSON-RPC error), the channel must stay up, and afterwards it still routes a real
/// ask. <c>RELAY_FUZZ_SEED</c> fixes the seed (printed on failure); <c>RELAY_FUZZ_CHANNEL_CASES</c> sets the number of
/// calls (default 1,000).
/// </summary>
public sealed class ChannelFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Tools = ["relay_peers", "relay_ask", "relay_reply", "relay_broadcast", "relay_rename"];

    private static readonly string[] Keys = ["to", "question", "thread_id", "ask_id", "text", "new_name"];

    private static readonly string[] RawValues =
    [
        "1e400", "-1e400", "99999999999999999999999999", "9223372036854775808", "-0", "1.5", "0", "true", "false", "null",
        "[]", "{}", "[\"a\",1,null]", "{\"to\":\"bob\"}", "\"\\u0000\"", "\"\"", "\" \"",
    ];

    [Fact]
    public async Task Random_tool_calls_each_get_one_answer_and_the_channel_keeps_working()
    {
        var seed = ReadInt("RELAY_FUZZ_SEED") ?? Random.Shared.Next();
        var cases = ReadInt("RELAY_FUZZ_CHANNEL_CASES") ?? 1_000;
        var context = $"RELAY_FUZZ_SEED={seed} RELAY_FUZZ_CHANNEL_CASES={cases}";
        output.WriteLine("channel fuzz: " + context);
        var random = new Random(seed);

        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "bob");
        var (alice, bob) = group;
        var clock = Stopwatch.StartNew();
        int results = 0, toolErrors = 0, rpcErrors = 0;
        for (var i = 0; i < cases; i++)
        {
            var tool = random.Next(15) == 0 ? Pick(random, ["relay_unknown", "", "RELAY_ASK", "relay_ask ", "relay_peers\u0000"]) : Pick(random, Tools);
            var args = Arguments(random);
            try
            {
                var result = await alice.Mcp.CallToolAsync(tool, args).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
                results++;
                if (result.IsError == true)
                {
                    toolErrors++;
                    var text = result.Content.OfType<TextContentBlock>().Single().Text;
                    var json = JsonDocument.Parse(text).RootElement;
                    Assert.True(json.TryGetProperty("code", out var code) && code.GetString() != "unexpected", $"{context}: case {i} {tool}: {text}");
                }
            }
            catch (McpException)
            {
                rpcErrors++;
            }
            catch (TimeoutException)
            {
                Assert.Fail($"{context}: case {i}: {tool} got no answer within 15 s; channel exited: {alice.HasExited}; stderr: {alice.Stderr}");
            }
        }

        var elapsed = clock.Elapsed;
        Assert.False(alice.HasExited, context + ": the channel exited; stderr: " + alice.Stderr);

        // Still a working channel: bob asks alice under her current name and the push arrives.
        var name = await alice.NameAsync();
        var ask = await bob.CallAsync("relay_ask", new() { ["to"] = name, ["question"] = "still there?" });
        Assert.True(ask.Ok, context + ": " + ask.Text);
        var askId = ask.Str("ask_id");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var push = await alice.NextNotificationAsync(deadline - DateTime.UtcNow);
            if (push.Get("ask_id") == askId)
            {
                Assert.Equal("still there?", push.Content);
                break;
            }
        }

        output.WriteLine($"channel fuzz: {cases} calls in {elapsed.TotalSeconds:0.0} s: {results} results ({toolErrors} tool errors), {rpcErrors} JSON-RPC errors");
    }

    private static Dictionary<string, object?> Arguments(Random random)
    {
        var args = new Dictionary<string, object?>();
        foreach (var key in Keys)
        {
            if (random.Next(2) == 0)
            {
                args[key] = Value(random, key);
            }
        }

        if (random.Next(5) == 0)
        {
            args[Pick(random, ["extra", "", "to ", "\u00e9", "x\u0000"])] = Value(random, "x");
        }

        return args;
    }

    private static object? Value(Random random, string key) => random.Next(10) switch
    {
        0 => JsonDocument.Parse(Pick(random, RawValues)).RootElement.Clone(),
        1 => Nested(random, 1 + random.Next(20)),
        2 => new string('x', random.Next(3) == 0 ? (512 * 1024) + random.Next(-2, 3) : 129 + random.Next(300)),
        3 => random.Next(-5, 5),
        4 => Pick(random, ["", " ", "bad name", "a/b", "\u0000\u2028", "\ud83d\ude00", "bob", "alice", "a-1"]),
        _ => key switch
        {
            "to" => Pick(random, ["bob", "alice", "nobody", "bob-2"]),
            "new_name" => Pick(random, ["alice", "alice-x", "bob", "z" + random.Next(5).ToString(CultureInfo.InvariantCulture)]),
            "ask_id" => "a-" + random.Next(20).ToString(CultureInfo.InvariantCulture),
            "thread_id" => "t-" + random.Next(3).ToString(CultureInfo.InvariantCulture),
            _ => "fuzz " + random.Next(1000).ToString(CultureInfo.InvariantCulture),
        },
    };

    private static JsonElement Nested(Random random, int depth)
    {
        var objects = random.Next(2) == 0;
        var text = string.Concat(Enumerable.Repeat(objects ? "{\"a\":" : "[", depth)) + "1" + string.Concat(Enumerable.Repeat(objects ? "}" : "]", depth));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static int? ReadInt(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;
}
