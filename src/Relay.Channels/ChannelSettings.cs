using System.Globalization;

namespace Relay.Channels;

/// <summary>The channel's environment knobs, read once at startup.</summary>
internal sealed record ChannelSettings
{
    /// <summary>Default hold between the client being ready (its first <c>tools/list</c> or <c>tools/call</c>) and the first push.</summary>
    public static readonly TimeSpan DefaultPushDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Default longest hold after <c>notifications/initialized</c> when the client never lists or calls tools.</summary>
    public static readonly TimeSpan DefaultPushFallback = TimeSpan.FromSeconds(3);

    /// <summary><c>RELAY_ASK_TIMEOUT_MS</c>: the timeout this channel sends with each ask; null leaves it to the hub.</summary>
    public long? AskTimeoutMs { get; init; }

    /// <summary><c>RELAY_PUSH_DELAY_MS</c>: how long pushes wait after the client is ready (Claude Code drops earlier ones).</summary>
    public TimeSpan PushDelay { get; init; } = DefaultPushDelay;

    /// <summary><c>RELAY_PUSH_FALLBACK_MS</c>: pushes flow this long after <c>notifications/initialized</c> at the latest.</summary>
    public TimeSpan PushFallback { get; init; } = DefaultPushFallback;

    /// <summary><c>RELAY_HUB_GIVE_UP_MS</c>: how long pending asks wait for a lost hub to come back before they end <c>hub_unreachable</c>.</summary>
    public TimeSpan HubGiveUp { get; init; } = HubLink.DefaultGiveUpAfter;

    /// <summary><c>CLAUDE_RELAY_PRESET_NAME</c>, unvalidated.</summary>
    public string? PresetName { get; init; }

    /// <summary><c>RELAY_DELIVERY</c> (or <c>--delivery</c>): auto (null), inbox, channel or pull; unvalidated.</summary>
    public string? Delivery { get; init; }

    /// <summary><c>RELAY_LOG_STDERR=1</c>: also log to stderr.</summary>
    public bool LogToStderr { get; init; }

    /// <summary>The session's working directory (Claude Code starts its MCP servers in the project dir).</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    public static ChannelSettings FromEnvironment() => new()
    {
        AskTimeoutMs = PositiveMilliseconds("RELAY_ASK_TIMEOUT_MS"),
        PushDelay = NonNegativeMilliseconds("RELAY_PUSH_DELAY_MS") is { } delay ? TimeSpan.FromMilliseconds(delay) : DefaultPushDelay,
        PushFallback = NonNegativeMilliseconds("RELAY_PUSH_FALLBACK_MS") is { } fallback ? TimeSpan.FromMilliseconds(fallback) : DefaultPushFallback,
        HubGiveUp = PositiveMilliseconds("RELAY_HUB_GIVE_UP_MS") is { } giveUp ? TimeSpan.FromMilliseconds(giveUp) : HubLink.DefaultGiveUpAfter,
        PresetName = Environment.GetEnvironmentVariable("CLAUDE_RELAY_PRESET_NAME"),
        Delivery = Environment.GetEnvironmentVariable("RELAY_DELIVERY") is { Length: > 0 } delivery ? delivery : null,
        LogToStderr = Environment.GetEnvironmentVariable("RELAY_LOG_STDERR") == "1",
        WorkingDirectory = SafeCurrentDirectory(),
    };

    private static long? PositiveMilliseconds(string variable) =>
        NonNegativeMilliseconds(variable) is { } value && value > 0 ? value : null;

    private static long? NonNegativeMilliseconds(string variable) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string SafeCurrentDirectory()
    {
        try
        {
            return Environment.CurrentDirectory;
        }
        catch (IOException)
        {
            // The directory was deleted under us; the name falls back to the slug default.
            return "/";
        }
    }
}
