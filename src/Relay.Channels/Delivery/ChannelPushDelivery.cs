using Relay.Protocol.Messages;

namespace Relay.Channels.Delivery;

/// <summary>
/// Delivers as <c>notifications/claude/channel</c> pushes (the session was started with relay as a channel). An
/// ask counts as <c>delivered</c> once its push is written to Claude Code; the plugin's UserPromptSubmit hook reports
/// <c>surfaced</c> when the model gets it.
/// </summary>
internal sealed class ChannelPushDelivery(PushQueue pushes, Action<string, string> receipt) : IDelivery
{
    public string Path => DeliveryPaths.Channel;

    public void Deliver(ServerMessage message)
    {
        if (ChannelNotifications.From(message) is not { } notification)
        {
            return;
        }

        Action? sent = message is IncomingAskMessage ask ? () => receipt(ask.AskId, AskStates.Delivered) : null;
        pushes.Enqueue(notification, sent);
    }

    public void Deliver(BroadcastSummary summary) => pushes.Enqueue(ChannelNotifications.From(summary));

    public void Answered(string askId)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
