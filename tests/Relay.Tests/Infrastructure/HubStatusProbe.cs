using System.Net.Sockets;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;

namespace Relay.Tests.Infrastructure;

/// <summary>Asks the hub at a socket for its <c>hub_status</c>, for tests that wait on or clean up after a hub.</summary>
public static class HubStatusProbe
{
    /// <summary>The status of the hub serving <paramref name="socketPath"/>, or null when none answers within 5 s.</summary>
    public static async Task<HubStatusReplyMessage?> QueryAsync(string socketPath)
    {
        try
        {
            await using var client = await HubClient.ConnectAsync(socketPath);
            return await client.RequestAsync(new HubStatusMessage(), TimeSpan.FromSeconds(5)) as HubStatusReplyMessage;
        }
        catch (Exception ex) when (ex is HubUnreachableException or TimeoutException or IOException or SocketException)
        {
            return null;
        }
    }
}
