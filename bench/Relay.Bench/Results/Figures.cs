namespace Relay.Bench.Results;

/// <summary>Which table a figure goes in.</summary>
internal enum Section
{
    Goals,
    Floor,
    Sdk,
    HubOnly,
    CrossHost,
    Detail,
}

/// <summary>
/// One figure the bench reports: what it is, the original product's value, the goal from issue 6, and which floor
/// it is compared with. <paramref name="Goal"/> is an upper bound unless <paramref name="HigherIsBetter"/>.
/// </summary>
internal sealed record FigureDef(
    string Key,
    string Title,
    string Unit,
    Section Section,
    string Original = "",
    double? Goal = null,
    bool HigherIsBetter = false,
    string? FloorKey = null,
    double? MaxFloorRatio = null)
{
    public string GoalText => Goal is not { } goal ? (MaxFloorRatio is { } bound ? $"≤ {bound:0.#}× floor" : "") : (HigherIsBetter ? "≥ " : "≤ ") + Format.Number(goal, Unit) + (MaxFloorRatio is { } r ? $" (≤ {r:0.#}× floor)" : "");
}

/// <summary>The catalogue, in report order.</summary>
internal static class Figures
{
    public static readonly IReadOnlyList<FigureDef> All =
    [
        new("cold.hub_up", "channel cold start, hub up (spawn → initialize → tools/list → first relay_peers)", "ms", Section.Goals, "182 ms", 30, FloorKey: "floor.spawn"),
        new("cold.with_hub", "first channel incl. hub start (from nothing)", "ms", Section.Goals, "261 ms", 60, FloorKey: "floor.spawn"),
        new("rss.channel_start", "channel RSS after start", "MiB", Section.Goals, "66 MiB", 20),
        new("rss.channel_after", "channel RSS after 10,000 asks", "MiB", Section.Goals, "79–93 MiB", 25),
        new("rss.hub_2", "hub RSS, 2 peers", "MiB", Section.Goals),
        new("rss.hub_100", "hub RSS, 100 peers", "MiB", Section.Goals, "61 MiB", 20),
        new("rss.hub_500", "hub RSS, 500 peers", "MiB", Section.Goals),
        new("ask.oneway_p50", "ask one-way p50 (A's relay_ask sent → B's client has the push)", "ms", Section.Goals, "0.96 ms", 0.2, FloorKey: "floor.oneway_p50", MaxFloorRatio: 3),
        new("ask.oneway_p99", "ask one-way p99", "ms", Section.Goals, "8.2 ms", 1.5, FloorKey: "floor.oneway_p99", MaxFloorRatio: 3),
        new("ask.rt_p50", "round trip p50 (→ B's relay_reply → A's client has the reply push)", "ms", Section.Goals, "1.99 ms", 0.4, FloorKey: "floor.rt_p50"),
        new("ask.rt_p99", "round trip p99", "ms", Section.Goals, "13 ms", 3, FloorKey: "floor.rt_p99"),
        new("cpu.per_rt", "CPU per round trip (hub + both channels)", "ms", Section.Goals, "2.25 ms", 0.25),
        new("throughput", "throughput, 8 outstanding asks, A ↔ B", "/s", Section.Goals, "747/s", 7500, HigherIsBetter: true),
        new("broadcast.10.notified", "broadcast to 10: all notified", "ms", Section.Goals, FloorKey: "floor.oneway_p50"),
        new("broadcast.10.replied", "broadcast to 10: all replies back", "ms", Section.Goals, FloorKey: "floor.rt_p50"),
        new("broadcast.50.notified", "broadcast to 50: all notified", "ms", Section.Goals, FloorKey: "floor.oneway_p50"),
        new("broadcast.50.replied", "broadcast to 50: all replies back", "ms", Section.Goals, FloorKey: "floor.rt_p50"),
        new("broadcast.100.notified", "broadcast to 100: all notified", "ms", Section.Goals, "380 ms", 40, FloorKey: "floor.oneway_p50"),
        new("broadcast.100.replied", "broadcast to 100: all replies back", "ms", Section.Goals, "406 ms", 60, FloorKey: "floor.rt_p50"),
        new("cpu.idle_channel", "idle CPU per channel", "ms/s", Section.Goals, "1.5 ms/s", 0.1),
        new("crosshost.rt_p50", "cross-host round trip p50 (peer on hub ha asks name@hb through NATS; floor = NATS request/reply + local round trip, same run)", "ms", Section.Goals, FloorKey: "crosshost.floor_p50", MaxFloorRatio: 2),
        new("crosshost.asks_per_s", "cross-host throughput, 8 outstanding asks, ha → hb (floor = NATS request/reply throughput, same run)", "/s", Section.Goals, Goal: 5000, HigherIsBetter: true, FloorKey: "crosshost.nats_per_s"),
        new("restart.reregistered", "hub SIGKILL → all 20 channels re-registered with a new hub", "ms", Section.Goals),

        new("floor.stdio_p50", "stdio ping-pong RTT p50 (bench ↔ echo child over pipes)", "ms", Section.Floor),
        new("floor.stdio_p99", "stdio ping-pong RTT p99", "ms", Section.Floor),
        new("floor.unix_p50", "Unix-socket ping-pong RTT p50 (bench ↔ echo process)", "ms", Section.Floor),
        new("floor.unix_p99", "Unix-socket ping-pong RTT p99", "ms", Section.Floor),
        new("floor.oneway_p50", "one-way floor p50 = stdio RTT + Unix RTT (the 4 hops an ask crosses)", "ms", Section.Floor),
        new("floor.oneway_p99", "one-way floor p99", "ms", Section.Floor),
        new("floor.rt_p50", "round-trip floor p50 = 2 × one-way floor", "ms", Section.Floor),
        new("floor.rt_p99", "round-trip floor p99", "ms", Section.Floor),
        new("floor.unix2_p50", "hub round-trip floor p50 = 2 × Unix RTT (the 4 socket hops of an ask and its reply)", "ms", Section.Floor),
        new("floor.spawn", "spawn floor: start /bin/cat, one line through it", "ms", Section.Floor),

        new("sdk.oneway_p50", "one-way p50, SDK McpClient as the client", "ms", Section.Sdk, FloorKey: "floor.oneway_p50"),
        new("sdk.oneway_p99", "one-way p99, SDK McpClient", "ms", Section.Sdk, FloorKey: "floor.oneway_p99"),
        new("sdk.rt_p50", "round trip p50, SDK McpClient", "ms", Section.Sdk, FloorKey: "floor.rt_p50"),
        new("sdk.rt_p99", "round trip p99, SDK McpClient", "ms", Section.Sdk, FloorKey: "floor.rt_p99"),

        new("hubonly.hop_p50", "hub hop p50 (raw socket peer X → hub → peer Y gets incoming_ask)", "ms", Section.HubOnly, FloorKey: "floor.unix_p50"),
        new("hubonly.hop_p99", "hub hop p99", "ms", Section.HubOnly, FloorKey: "floor.unix_p99"),
        new("hubonly.rt_p50", "hub round trip p50 (ask → incoming_ask → reply → incoming_reply)", "ms", Section.HubOnly, FloorKey: "floor.unix2_p50"),
        new("hubonly.asks_per_s", "hub asks/s, 8 outstanding, raw socket peers", "/s", Section.HubOnly),

        new("crosshost.local_p50", "local round trip p50 (both raw socket peers on hub ha)", "ms", Section.CrossHost),
        new("crosshost.local_p99", "local round trip p99", "ms", Section.CrossHost),
        new("crosshost.nats_p50", "NATS request/reply floor p50 (NATS.Net core request/reply, 256 bytes, same server)", "ms", Section.CrossHost),
        new("crosshost.nats_p99", "NATS request/reply floor p99", "ms", Section.CrossHost),
        new("crosshost.nats_per_s", "NATS request/reply throughput floor, 8 outstanding (same server, same window)", "/s", Section.CrossHost, HigherIsBetter: true),
        new("crosshost.floor_p50", "cross-host floor p50 = NATS request/reply p50 + local round trip p50", "ms", Section.CrossHost),
        new("crosshost.floor_p99", "cross-host floor p99 = NATS request/reply p99 + local round trip p99", "ms", Section.CrossHost),
        new("crosshost.rt_p99", "cross-host round trip p99", "ms", Section.CrossHost, FloorKey: "crosshost.floor_p99"),
        new("crosshost.stream_rt_p50", "cross-host round trip p50 through the JetStream stream only (hubs sa, sb with RELAY_NATS_LIVE_TIMEOUT_MS=0)", "ms", Section.CrossHost, FloorKey: "crosshost.floor_p50"),
        new("crosshost.stream_rt_p99", "cross-host round trip p99 through the stream only", "ms", Section.CrossHost, FloorKey: "crosshost.floor_p99"),
        new("crosshost.nats_cpu_per_ask_ms", "nats-server CPU per cross-host ask (throughput window, from /proc)", "ms", Section.CrossHost),
        new("crosshost.hubs_cpu_per_ask_ms", "CPU of both hubs per cross-host ask (throughput window, from /proc)", "ms", Section.CrossHost),

        new("cpu.per_rt.hub", "CPU per round trip: hub", "ms", Section.Detail),
        new("cpu.per_rt.asker", "CPU per round trip: asking channel", "ms", Section.Detail),
        new("cpu.per_rt.target", "CPU per round trip: answering channel", "ms", Section.Detail),
        new("cpu.per_rt.stat", "CPU per round trip, from /proc stat ticks (cross-check)", "ms", Section.Detail),
        new("cpu.per_rt.harness", "CPU per round trip: the bench's own clients (not relay; for scale)", "ms", Section.Detail),
        new("cpu.per_rt.wakeups", "wake-ups per round trip (threads scheduled in; hub + both channels)", "", Section.Detail),
        new("cpu.per_rt.runqueue", "run-queue wait per round trip (runnable, no free CPU; hub + both channels)", "ms", Section.Detail),
        new("floor.wakeups", "floor: wake-ups per ping-pong (bench echo child, stdio)", "", Section.Detail),
        new("throughput.cpu_relay", "throughput run: CPUs kept busy by relay (hub + both channels; the machine has 2)", "", Section.Detail),
        new("throughput.cpu_harness", "throughput run: CPUs kept busy by the bench's clients", "", Section.Detail),
        new("cpu.idle_wakeups", "idle wake-ups per channel per second", "/s", Section.Detail),
        new("cpu.idle_hub", "idle CPU, hub", "ms/s", Section.Detail),
        new("rss.hub_after", "hub RSS after the 10,000 asks (2 peers)", "MiB", Section.Detail),
        new("cold.spawn_call", "of the cold start: Process.Start itself (fork+exec in the bench)", "ms", Section.Detail),
        new("ask.oneway_mean", "ask one-way mean", "ms", Section.Detail),
        new("ask.rt_mean", "round trip mean", "ms", Section.Detail),
    ];

    public static readonly IReadOnlyDictionary<string, FigureDef> ByKey = All.ToDictionary(f => f.Key);
}
