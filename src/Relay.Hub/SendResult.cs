namespace Relay.Hub;

/// <summary>What became of a line handed to an <see cref="IPeer"/>.</summary>
internal enum SendResult
{
    /// <summary>Queued for delivery.</summary>
    Queued,

    /// <summary>The peer takes nothing more (it is closing or gone); the line is discarded and nothing else happens.</summary>
    Closed,

    /// <summary>The line took the peer over its backlog bound: the router drops the peer.</summary>
    Overflowed,
}
