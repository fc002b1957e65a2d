using Relay.Hub.Nats;

namespace Relay.UnitTests.Hub;

/// <summary>An <see cref="IBridgeSender"/> that keeps every envelope the router sent to another host.</summary>
internal sealed class FakeBridgeSender(string localHost) : IBridgeSender
{
    public string LocalHost { get; } = localHost;

    public List<(string Host, BridgeEnvelope Envelope)> Sent { get; } = [];

    public void Send(string host, BridgeEnvelope envelope, DateTimeOffset deadline) => Sent.Add((host, envelope));

    /// <summary>The envelopes sent so far, cleared.</summary>
    public List<(string Host, BridgeEnvelope Envelope)> Drain()
    {
        var sent = Sent.ToList();
        Sent.Clear();
        return sent;
    }
}
