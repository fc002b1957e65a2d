namespace Relay.Protocol;

public static class Limits
{
    /// <summary>Longest line either side accepts; a longer inbound line closes that connection.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    /// <summary>Longest question or reply text, in UTF-8 bytes.</summary>
    public const int MaxTextBytes = 512 * 1024;

    /// <summary>Default time an ask waits for its reply.</summary>
    public static readonly TimeSpan DefaultAskTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Longest per-ask timeout a client may ask for.</summary>
    public static readonly TimeSpan MaxAskTimeout = TimeSpan.FromHours(24);

    /// <summary>How long the hub lives on after its last peer leaves.</summary>
    public static readonly TimeSpan DefaultHubIdleExit = TimeSpan.FromMinutes(5);

    /// <summary>Per-connection outbox bound (lines) in the hub; a peer that falls this far behind is dropped.</summary>
    public const int OutboxMaxLines = 65_536;

    /// <summary>Per-connection outbox bound (bytes) in the hub.</summary>
    public const long OutboxMaxBytes = 32L * 1024 * 1024;

    /// <summary>Longest thread id or ask id a client may send.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Asks (and broadcasts) per second one peer may send once its burst is spent.</summary>
    public const int AskRatePerSecond = 100;

    /// <summary>Asks one peer may send back to back before <see cref="AskRatePerSecond"/> applies.</summary>
    public const int AskBurst = 200;

    /// <summary>Asks one peer may have waiting for their replies at once.</summary>
    public const int MaxPendingAsksPerPeer = 10_000;

    /// <summary>How long the hub holds messages for a Claude Code channel that left, waiting for it to come back.</summary>
    public static readonly TimeSpan DefaultHoldWindow = TimeSpan.FromMinutes(3);

    /// <summary>Asks the hub holds for one away peer (not yet delivered to it).</summary>
    public const int HoldMaxAsksPerPeer = 256;

    /// <summary>Question bytes (UTF-8) the hub holds for one away peer.</summary>
    public const long HoldMaxBytesPerPeer = 8L * 1024 * 1024;

    /// <summary>Question bytes the hub holds for all away peers together.</summary>
    public const long HoldMaxTotalBytes = 64L * 1024 * 1024;

    /// <summary>Away peers the hub keeps at once; a channel leaving beyond this leaves for good at once.</summary>
    public const int MaxAwayPeers = 1024;
}
