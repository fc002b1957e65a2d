using System.Diagnostics;
using Relay.Protocol.Messages;

namespace Relay.Runtime.Client;

/// <summary>Finds the hub: connects to its socket, and when asked, starts one and waits until it answers.</summary>
public static class HubConnector
{
    /// <summary>How long a caller waits for a freshly spawned hub to answer.</summary>
    public static readonly TimeSpan SpawnWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Connects to the hub of <paramref name="dataDir"/>. With <paramref name="spawn"/>, starts a detached hub when none
    /// answers. Throws <see cref="HubUnreachableException"/> when no hub can be reached.
    /// </summary>
    public static async Task<HubClient> ConnectAsync(DataDir dataDir, bool spawn, Action<ServerMessage>? pushed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        var socketPath = dataDir.SocketPath;
        try
        {
            return await HubClient.ConnectAsync(socketPath, pushed, cancellationToken).ConfigureAwait(false);
        }
        catch (HubUnreachableException) when (spawn)
        {
        }

        dataDir.EnsureExists();
        HubSpawner.Spawn(dataDir);
        var stopwatch = Stopwatch.StartNew();
        var failures = 0;
        while (true)
        {
            try
            {
                return await HubClient.ConnectAsync(socketPath, pushed, cancellationToken).ConfigureAwait(false);
            }
            catch (HubUnreachableException) when (stopwatch.Elapsed < SpawnWait)
            {
                await Task.Delay(BackoffPolicy.SpawnPoll.Delay(++failures), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
