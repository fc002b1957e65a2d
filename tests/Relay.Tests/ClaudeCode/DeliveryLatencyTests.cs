using System.Diagnostics;
using System.Globalization;
using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// Time from an ask leaving its asker to the question being in the target model's request, per delivery path, on the
/// real Claude Code: a channel session, an inbox session (plugin, no flag) and a session without the plugin (the
/// hub writes to its inbox). Every ask must arrive (that is what fails); the figures are printed, never asserted.
/// <c>RELAY_MEASURE_RUNS</c> sets the asks per path (default 3; use 15+ for figures worth quoting).
/// </summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class DeliveryLatencyTests(ITestOutputHelper output)
{
    private static readonly int Runs = int.TryParse(Environment.GetEnvironmentVariable("RELAY_MEASURE_RUNS"), out var runs) && runs > 0 ? runs : 3;

    [ClaudeFact]
    public async Task Every_path_delivers_each_ask_to_the_model_and_the_time_to_get_there_is_reported()
    {
        await using var world = new ClaudeWorld();
        await world.InstallPluginAsync();
        var channel = world.StartSession("chan", ScriptedPeer.Brain(_ => "ok"));
        var inbox = world.StartSession("inbx", ScriptedPeer.Brain(_ => "ok"), new ClaudeSessionOptions { Channel = false });
        await world.GreetAsync(channel, inbox);

        await using var asker = await RawHubClient.RegisterAsync(world.SocketPath, "meter");
        var figures = new List<string>
        {
            await MeasureAsync(world, asker, channel, "channel"),
            await MeasureAsync(world, asker, inbox, "inbox"),
        };

        foreach (var line in figures)
        {
            output.WriteLine(line);
            Console.WriteLine(line);
        }
    }

    private static async Task<string> MeasureAsync(ClaudeWorld world, RawHubClient asker, ClaudeSession target, string path)
    {
        var samples = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var askId = $"m-{path}-{i}";
            var started = Stopwatch.GetTimestamp();
            var ack = await asker.RequestAsync<AckMessage>(new AskMessage { To = target.Name, Question = $"latency probe {i}", AskId = askId, TimeoutMs = 60_000 });
            Assert.Equal(path, ack.Delivery);
            var request = await world.WaitForRequestAsync(r => r.SessionId == target.SessionId && r.AllText.Contains(askId, StringComparison.Ordinal), $"{askId} reaching {target.Name}'s model");
            samples.Add(Stopwatch.GetElapsedTime(started, request.ReceivedAt).TotalMilliseconds);
            // Progress (delivered, surfaced) comes first; the reply ends the ask.
            ServerMessage next;
            do
            {
                next = await asker.NextAsync(TimeSpan.FromSeconds(60));
            }
            while (next is AskStatusMessage);

            Assert.Equal(askId, Assert.IsType<IncomingReplyMessage>(next).AskId);
            // Let the session settle into idle, as a user's session would be between questions.
            await Task.Delay(300);
        }

        samples.Sort();
        var median = samples[samples.Count / 2];
        return string.Create(CultureInfo.InvariantCulture, $"ask -> target model request, {path}: median {median:0} ms over {samples.Count} (min {samples[0]:0}, max {samples[^1]:0})");
    }
}
