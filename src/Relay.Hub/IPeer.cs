using Relay.Protocol.Messages;

namespace Relay.Hub;

/// <summary>
/// Anything the router holds a conversation with: something it can send lines to and, once registered, route asks
/// to. It starts anonymous; <c>register</c> makes it a named peer (in the <see cref="Registry"/>) and <c>watch</c> an
/// observer. Today the only kind is a client on the hub socket (<see cref="SocketPeer"/>); a native Claude Code
/// session, a durable store or a remote hub's peer plug in here. The router's lock guards every mutable member, and
/// the router calls the send methods only under it, so an implementation need not be thread-safe for them.
/// </summary>
internal interface IPeer
{
    /// <summary>Number for logs (names change; this does not).</summary>
    long Id { get; }

    /// <summary>The registered name, or null before register (and for observers). Set by the <see cref="Registry"/>.</summary>
    string? Name { get; set; }

    bool IsObserver { get; set; }

    /// <summary>True once the router has taken this peer out of the hub (it left or was dropped).</summary>
    bool Departed { get; set; }

    string? Kind { get; set; }

    string? Cwd { get; set; }

    string? GitBranch { get; set; }

    int? Pid { get; set; }

    /// <summary>How messages reach this peer (<see cref="DeliveryPaths"/>).</summary>
    string Delivery { get; set; }

    /// <summary>The Claude Code session a channel serves (its pid and session id), when it said so.</summary>
    int? ClaudePid { get; set; }

    string? SessionId { get; set; }

    DateTimeOffset ConnectedAt { get; }

    /// <summary>Time of the peer's latest message of any kind.</summary>
    DateTimeOffset LastSeen { get; set; }

    /// <summary>Asks this peer has been sent and not yet answered, by ask id (kept by <see cref="PendingAsks"/>).</summary>
    Dictionary<string, PendingAsk> AsksTo { get; }

    /// <summary>Asks this peer sent that are still waiting for their reply (kept by <see cref="PendingAsks"/>).</summary>
    HashSet<PendingAsk> AsksFrom { get; }

    /// <summary>Bytes accepted but not yet delivered, for the log line of a dropped peer.</summary>
    long QueuedBytes { get; }

    /// <summary>Queues one message without blocking.</summary>
    SendResult Send(ServerMessage message);

    /// <summary>Queues one already serialized line (newline included), e.g. an observer event shared by many.</summary>
    SendResult Send(ReadOnlySpan<byte> line);

    /// <summary>Nothing more will be sent: what is queued is delivered, then the peer's send side ends.</summary>
    void Complete();

    /// <summary>Cuts the peer off at once; the router hears of it through <see cref="Router.OnDisconnected"/>.</summary>
    void Abort();
}
