using Relay.Protocol;

namespace Relay.Hub;

/// <summary>What the hub may hold for Claude Code channels that left and may come back (<see cref="AwayPeers"/>).</summary>
public sealed record HoldBounds
{
    public static readonly HoldBounds Default = new();

    /// <summary>Asks held (not yet delivered) for one away peer; 0 holds none.</summary>
    public int MaxAsksPerPeer { get; init; } = Limits.HoldMaxAsksPerPeer;

    /// <summary>Question bytes (UTF-8) held for one away peer.</summary>
    public long MaxBytesPerPeer { get; init; } = Limits.HoldMaxBytesPerPeer;

    /// <summary>Question bytes held for all away peers together.</summary>
    public long MaxTotalBytes { get; init; } = Limits.HoldMaxTotalBytes;

    /// <summary>Away peers kept at once; a channel leaving beyond this leaves for good (its askers get <c>peer_gone</c>).</summary>
    public int MaxAwayPeers { get; init; } = Limits.MaxAwayPeers;
}
