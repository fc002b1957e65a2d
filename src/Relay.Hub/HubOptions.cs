using System.Globalization;
using Relay.Protocol;

namespace Relay.Hub;

/// <summary>Settings of one hub process.</summary>
public sealed record HubOptions
{
    /// <summary>Environment variable: idle exit in milliseconds (0 = never).</summary>
    public const string IdleExitVariable = "RELAY_HUB_IDLE_EXIT_MS";

    /// <summary>Environment variable: default ask timeout in milliseconds when an ask carries no <c>timeout_ms</c>.</summary>
    public const string AskTimeoutVariable = "RELAY_HUB_ASK_TIMEOUT_MS";

    /// <summary>Environment variable: per-connection outbox bound in bytes (tests make it small).</summary>
    public const string OutboxMaxBytesVariable = "RELAY_HUB_OUTBOX_MAX_BYTES";

    /// <summary>Environment variable: per-connection outbox bound in lines.</summary>
    public const string OutboxMaxLinesVariable = "RELAY_HUB_OUTBOX_MAX_LINES";

    /// <summary>Environment variable: asks (and broadcasts) one peer may send per second, refilling its bucket; 0 = no rate limit.</summary>
    public const string AskRateVariable = "RELAY_HUB_ASK_RATE";

    /// <summary>Environment variable: how many asks one peer may send at once before the rate applies.</summary>
    public const string AskBurstVariable = "RELAY_HUB_ASK_BURST";

    /// <summary>Environment variable: how many asks one peer may have waiting for replies at once; 0 = no bound.</summary>
    public const string MaxPendingAsksVariable = "RELAY_HUB_MAX_PENDING_ASKS";

    /// <summary>Environment variable: <c>0</c> turns off native Claude Code sessions as peers.</summary>
    public const string NativeSessionsVariable = "RELAY_HUB_NATIVE_SESSIONS";

    /// <summary>Environment variable: how long messages wait for a Claude Code channel that left, in milliseconds (0 = not at all).</summary>
    public const string HoldVariable = "RELAY_HUB_HOLD_MS";

    /// <summary>Environment variable: asks held for one away peer.</summary>
    public const string HoldMaxAsksVariable = "RELAY_HUB_HOLD_MAX_ASKS";

    /// <summary>Environment variable: question bytes held for one away peer.</summary>
    public const string HoldMaxBytesVariable = "RELAY_HUB_HOLD_MAX_BYTES";

    /// <summary>Environment variable: question bytes held for all away peers together.</summary>
    public const string HoldMaxTotalBytesVariable = "RELAY_HUB_HOLD_MAX_TOTAL_BYTES";

    public required string SocketPath { get; init; }

    /// <summary>
    /// Where Claude Code keeps its session records (<c>$CLAUDE_CONFIG_DIR</c>, else <c>~/.claude</c>); null leaves
    /// native sessions out.
    /// </summary>
    public Inbox.ClaudeHome? ClaudeHome { get; init; }

    /// <summary>Token refill per second of each asking peer's bucket; 0 or less turns the rate limit off.</summary>
    public double AskRatePerSecond { get; init; } = Limits.AskRatePerSecond;

    /// <summary>Tokens in a full bucket: the burst one peer may ask before the rate applies.</summary>
    public int AskBurst { get; init; } = Limits.AskBurst;

    /// <summary>Pending asks one peer may have at once; 0 or less means no bound.</summary>
    public int MaxPendingAsksPerPeer { get; init; } = Limits.MaxPendingAsksPerPeer;

    /// <summary>The clock of the rate limit (tests inject their own).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How long the hub lives on with no peer; <see cref="TimeSpan.Zero"/> or less means forever.</summary>
    public TimeSpan IdleExit { get; init; } = Limits.DefaultHubIdleExit;

    public TimeSpan DefaultAskTimeout { get; init; } = Limits.DefaultAskTimeout;

    /// <summary>The NATS space this hub joins for peers of other hosts; null keeps the hub local.</summary>
    public Nats.NatsSettings? Nats { get; init; }

    /// <summary>
    /// How long the hub holds asks for a Claude Code channel that left (it may restart, or its session be resumed);
    /// <see cref="TimeSpan.Zero"/> or less: a leaving peer's askers get <c>peer_gone</c> at once.
    /// </summary>
    public TimeSpan HoldWindow { get; init; } = Limits.DefaultHoldWindow;

    /// <summary>The bounds of what is held (<see cref="Limits.HoldMaxAsksPerPeer"/> and the byte bounds).</summary>
    public HoldBounds Hold { get; init; } = HoldBounds.Default;

    public long OutboxMaxBytes { get; init; } = Limits.OutboxMaxBytes;

    public int OutboxMaxLines { get; init; } = Limits.OutboxMaxLines;

    /// <summary>
    /// Options for <paramref name="socketPath"/> with the <c>RELAY_HUB_*</c> environment knobs applied;
    /// an explicit <paramref name="idleExit"/> (the <c>--idle-exit</c> option) or <paramref name="hold"/> (<c>--hold</c>)
    /// wins over the environment.
    /// </summary>
    public static HubOptions FromEnvironment(string socketPath, TimeSpan? idleExit = null, TimeSpan? hold = null)
    {
        var options = new HubOptions
        {
            SocketPath = socketPath,
            ClaudeHome = Environment.GetEnvironmentVariable(NativeSessionsVariable) == "0" ? null : Inbox.ClaudeHome.Resolve(),
        };
        if (idleExit is { } explicitIdle)
        {
            options = options with { IdleExit = explicitIdle };
        }
        else if (ReadLong(IdleExitVariable) is { } idleMs)
        {
            options = options with { IdleExit = TimeSpan.FromMilliseconds(idleMs) };
        }

        if (ReadLong(AskTimeoutVariable) is { } askMs && askMs > 0)
        {
            options = options with { DefaultAskTimeout = TimeSpan.FromMilliseconds(Math.Min(askMs, (long)Limits.MaxAskTimeout.TotalMilliseconds)) };
        }

        if (ReadLong(OutboxMaxBytesVariable) is { } bytes && bytes > 0)
        {
            options = options with { OutboxMaxBytes = bytes };
        }

        if (ReadLong(OutboxMaxLinesVariable) is { } lines && lines > 0)
        {
            options = options with { OutboxMaxLines = (int)Math.Min(lines, int.MaxValue) };
        }

        if (ReadLong(AskRateVariable) is { } rate && rate >= 0)
        {
            options = options with { AskRatePerSecond = rate };
        }

        if (ReadLong(AskBurstVariable) is { } burst && burst > 0)
        {
            options = options with { AskBurst = (int)Math.Min(burst, int.MaxValue) };
        }

        if (ReadLong(MaxPendingAsksVariable) is { } maxPending && maxPending >= 0)
        {
            options = options with { MaxPendingAsksPerPeer = (int)Math.Min(maxPending, int.MaxValue) };
        }

        if (hold is { } explicitHold)
        {
            options = options with { HoldWindow = explicitHold };
        }
        else if (ReadLong(HoldVariable) is { } holdMs && holdMs >= 0)
        {
            options = options with { HoldWindow = TimeSpan.FromMilliseconds(Math.Min(holdMs, (long)Limits.MaxAskTimeout.TotalMilliseconds)) };
        }

        var bounds = options.Hold;
        if (ReadLong(HoldMaxAsksVariable) is { } holdAsks && holdAsks >= 0)
        {
            bounds = bounds with { MaxAsksPerPeer = (int)Math.Min(holdAsks, int.MaxValue) };
        }

        if (ReadLong(HoldMaxBytesVariable) is { } holdBytes && holdBytes >= 0)
        {
            bounds = bounds with { MaxBytesPerPeer = holdBytes };
        }

        if (ReadLong(HoldMaxTotalBytesVariable) is { } holdTotal && holdTotal >= 0)
        {
            bounds = bounds with { MaxTotalBytes = holdTotal };
        }

        return options with { Hold = bounds };
    }

    private static long? ReadLong(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text
        && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
