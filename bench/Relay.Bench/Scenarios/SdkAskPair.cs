using System.Diagnostics;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Relay.Bench.Infra;

namespace Relay.Bench.Scenarios;

/// <summary>
/// The same sequential asks as <see cref="AskPair"/>, with the SDK's McpClient + StdioClientTransport as both clients
/// (handlers run where the SDK dispatches them, timestamps taken when they run). The difference to the raw figures
/// is the cost of the client library, not of relay.
/// </summary>
internal static class SdkAskPair
{
    private const string ChannelMethod = "notifications/claude/channel";

    public static (List<double> OneWay, List<double> RoundTrip) Measure(BenchWorld world, int warmup, int count) =>
        MeasureAsync(world, warmup, count).GetAwaiter().GetResult();

    private static async Task<(List<double>, List<double>)> MeasureAsync(BenchWorld world, int warmup, int count)
    {
        var total = warmup + count;
        var notified = new long[total];
        var replied = new long[total];
        TaskCompletionSource? current = null;
        McpClient? target = null;
        var failures = 0;

        target = await CreateAsync(world, "sdk-b", (notification, ct) =>
        {
            var timestamp = Stopwatch.GetTimestamp();
            var content = notification.Params?["content"]?.GetValue<string>() ?? "";
            var askId = notification.Params?["meta"]?["ask_id"]?.GetValue<string>();
            if (!Messages.TryParse(content, out var kind, out var seq) || kind != 'Q' || askId is null || seq >= total)
            {
                return ValueTask.CompletedTask;
            }

            notified[seq] = timestamp;
            // Not awaited: the SDK may not read the answer while a notification handler is still running.
            _ = target!.CallToolAsync("relay_reply", new Dictionary<string, object?> { ["ask_id"] = askId, ["text"] = Messages.Reply(seq) }, cancellationToken: CancellationToken.None).AsTask().ContinueWith(
                t =>
                {
                    if (!t.IsCompletedSuccessfully || t.Result.IsError == true)
                    {
                        Interlocked.Increment(ref failures);
                    }
                },
                TaskScheduler.Default);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        await using var targetLifetime = target.ConfigureAwait(false);

        var a = await CreateAsync(world, "sdk-a", (notification, _) =>
        {
            var timestamp = Stopwatch.GetTimestamp();
            var content = notification.Params?["content"]?.GetValue<string>() ?? "";
            if (Messages.TryParse(content, out var kind, out var seq) && kind == 'R' && seq < total)
            {
                replied[seq] = timestamp;
                current?.TrySetResult();
            }

            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        await using var askerLifetime = a.ConfigureAwait(false);
        var deadline = DateTime.UtcNow + BenchWorld.AnswerTimeout;
        while (true)
        {
            var peers = await target.CallToolAsync("relay_peers").ConfigureAwait(false);
            var text = peers.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text ?? "";
            if (peers.IsError != true && text.Contains("\"sdk-a\"", StringComparison.Ordinal))
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BenchFailure("SDK clients never saw each other: " + text);
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        var oneWay = new List<double>(count);
        var roundTrip = new List<double>(count);
        for (var seq = 0; seq < total; seq++)
        {
            current = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var t0 = Stopwatch.GetTimestamp();
            var call = a.CallToolAsync("relay_ask", new Dictionary<string, object?> { ["to"] = "sdk-b", ["question"] = Messages.Question(seq) });
            try
            {
                await current.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new BenchFailure($"SDK client: no reply to ask {seq} within 10 s", ex);
            }

            if ((await call.ConfigureAwait(false)).IsError == true)
            {
                throw new BenchFailure("SDK client: relay_ask failed");
            }

            if (seq >= warmup)
            {
                oneWay.Add(BenchContext.Ms(t0, notified[seq]));
                roundTrip.Add(BenchContext.Ms(t0, replied[seq]));
            }
        }

        if (failures > 0)
        {
            throw new BenchFailure($"SDK client: {failures} relay_reply calls failed");
        }

        return (oneWay, roundTrip);
    }

    private static async Task<McpClient> CreateAsync(BenchWorld world, string name, Func<JsonRpcNotification, CancellationToken, ValueTask> onPush)
    {
        var env = new Dictionary<string, string?>(world.Env) { ["CLAUDE_RELAY_PRESET_NAME"] = name };
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = world.RelayPath,
            Arguments = ["mcp"],
            EnvironmentVariables = env,
            WorkingDirectory = world.WorkDir(name),
            Name = name,
        });
        var options = new McpClientOptions
        {
            // What Claude Code sends. Left unset, SDK 2.4 probes with server/discover (2026-07-28) and never sends
            // notifications/initialized, so a channel never opens its push gate.
            ProtocolVersion = "2025-11-25",
            Handlers = new McpClientHandlers
            {
                NotificationHandlers = [new(ChannelMethod, onPush)],
            },
        };
        var client = await McpClient.CreateAsync(transport, options).ConfigureAwait(false);
        // Claude Code lists the tools right after initializing; the channel holds pushes until it has.
        await client.ListToolsAsync().ConfigureAwait(false);
        return client;
    }
}
