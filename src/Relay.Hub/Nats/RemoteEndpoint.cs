using Relay.Protocol.Messages;

namespace Relay.Hub.Nats;

/// <summary>
/// What <see cref="RemotePeer"/> and <see cref="RemoteAsker"/> share: an <see cref="IPeer"/> with no connection of
/// its own, whose messages leave through the <see cref="IBridgeSender"/> and never overflow. Its name is its address
/// <c>name@host</c>. Mutable members are guarded by the router lock.
/// </summary>
internal abstract class RemoteEndpoint : IPeer
{
    private static long s_nextId = 2_000_000_000;

    protected RemoteEndpoint(IBridgeSender sender, string host, string peerName, DateTimeOffset now)
    {
        Sender = sender;
        Host = host;
        PeerName = peerName;
        Name = PeerAddress.Format(peerName, host);
        Id = Interlocked.Increment(ref s_nextId);
        ConnectedAt = now;
        LastSeen = now;
    }

    protected IBridgeSender Sender { get; }

    /// <summary>The host this peer lives on.</summary>
    public string Host { get; }

    /// <summary>Its name on its own host.</summary>
    public string PeerName { get; }

    public long Id { get; }

    public string? Name { get; set; }

    public bool IsObserver { get; set; }

    public bool Departed { get; set; }

    public string? Kind { get; set; }

    public string? Cwd { get; set; }

    public string? GitBranch { get; set; }

    public int? Pid { get; set; }

    public string Delivery { get; set; } = DeliveryPaths.Socket;

    public int? ClaudePid { get; set; }

    public string? SessionId { get; set; }

    public DateTimeOffset ConnectedAt { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public Dictionary<string, PendingAsk> AsksTo { get; } = new(StringComparer.Ordinal);

    public HashSet<PendingAsk> AsksFrom { get; } = [];

    public long QueuedBytes => 0;

    public abstract SendResult Send(ServerMessage message);

    /// <summary>Observer events are never sent to a remote endpoint.</summary>
    public SendResult Send(ReadOnlySpan<byte> line) => SendResult.Queued;

    public void Complete()
    {
    }

    public void Abort()
    {
    }

    public override string ToString() => Name ?? "remote#" + Id;
}
