using Relay.Protocol.Messages;

namespace Relay.Channels.Delivery;

/// <summary>
/// One path into this channel's session (native inbox, channel push, or pull). Every message from the hub — an
/// incoming ask, a reply, an ask's ending, an ask's progress — and every broadcast summary goes through exactly one
/// delivery, so a session's model sees each message at most once. Deliver never blocks the hub receive loop.
/// </summary>
internal interface IDelivery : IAsyncDisposable
{
    /// <summary>The path's name, as registered with the hub (<see cref="DeliveryPaths"/>).</summary>
    string Path { get; }

    /// <summary>Hands over one hub message (incoming_ask, incoming_reply, ask-ending err, ask_status).</summary>
    void Deliver(ServerMessage message);

    /// <summary>Hands over the summary of a broadcast whose every target has ended.</summary>
    void Deliver(BroadcastSummary summary);

    /// <summary>
    /// The ask was answered by this session (with <c>relay_reply</c>); a path that holds resources for it (an answer
    /// socket) frees them.
    /// </summary>
    void Answered(string askId);
}
