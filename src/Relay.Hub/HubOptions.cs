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

    /// <summary>Environment variable: <c>0</c> turns off native Claude Code sessions as peers.</summary>
    public const string NativeSessionsVariable = "RELAY_HUB_NATIVE_SESSIONS";

    public required string SocketPath { get; init; }

    /// <summary>
    /// Where Claude Code keeps its session records (<c>$CLAUDE_CONFIG_DIR</c>, else <c>~/.claude</c>); null leaves
    /// native sessions out.
    /// </summary>
    public Inbox.ClaudeHome? ClaudeHome { get; init; }

    /// <summary>How long the hub lives on with no peer; <see cref="TimeSpan.Zero"/> or less means forever.</summary>
    public TimeSpan IdleExit { get; init; } = Limits.DefaultHubIdleExit;

    public TimeSpan DefaultAskTimeout { get; init; } = Limits.DefaultAskTimeout;

    public long OutboxMaxBytes { get; init; } = Limits.OutboxMaxBytes;

    public int OutboxMaxLines { get; init; } = Limits.OutboxMaxLines;

    /// <summary>
    /// Options for <paramref name="socketPath"/> with the <c>RELAY_HUB_*</c> environment knobs applied;
    /// an explicit <paramref name="idleExit"/> (the <c>--idle-exit</c> option) wins over the environment.
    /// </summary>
    public static HubOptions FromEnvironment(string socketPath, TimeSpan? idleExit = null)
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

        return options;
    }

    private static long? ReadLong(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text
        && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
