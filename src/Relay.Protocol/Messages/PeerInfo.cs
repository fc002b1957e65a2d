namespace Relay.Protocol.Messages;

/// <summary>One peer as <c>list_peers</c> reports it: a live one, or an away one (<see cref="AwayUntil"/> set).</summary>
public sealed class PeerInfo
{
    public required string Name { get; set; }
    public string? Cwd { get; set; }
    public string? GitBranch { get; set; }
    public required DateTimeOffset LastSeen { get; set; }
    public required DateTimeOffset ConnectedAt { get; set; }
    public string? Kind { get; set; }
    public int? Pid { get; set; }
    /// <summary>How messages reach this peer (<see cref="DeliveryPaths"/>).</summary>
    public string? Delivery { get; set; }
    /// <summary>For Claude Code sessions: the session's process id.</summary>
    public int? ClaudePid { get; set; }
    /// <summary>The host the peer lives on, when its hub is in a NATS space (remote peers always have one).</summary>
    public string? Host { get; set; }
    /// <summary>
    /// Set when the peer is away: its relay channel left (restarting, or its session being resumed) and asks to it are
    /// held until this time (<c>relay hub --hold</c>); null for a live peer.
    /// </summary>
    public DateTimeOffset? AwayUntil { get; set; }
    /// <summary>For an away peer: how many asks to it are held for its return.</summary>
    public int? HeldAsks { get; set; }
}
