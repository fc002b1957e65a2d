namespace Relay.Hub.Nats;

/// <summary>Queues an envelope for another host without blocking (the router lock may be held).</summary>
internal interface IBridgeSender
{
    /// <summary>This hub's host name in the space.</summary>
    string LocalHost { get; }

    /// <summary>Queues <paramref name="envelope"/> for <paramref name="host"/>; given up on after <paramref name="deadline"/>.</summary>
    void Send(string host, BridgeEnvelope envelope, DateTimeOffset deadline);
}
