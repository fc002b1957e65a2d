using System.Diagnostics;
using Relay.Hub;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Cli.Commands;

/// <summary>What <c>relay hub status/stop/restart</c> share: asking the hub about itself and stopping it by pid.</summary>
internal static class HubControl
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan GracefulWait = TimeSpan.FromSeconds(5);

    /// <summary>The running hub's status, or null when nothing answers at the socket.</summary>
    public static async Task<HubStatusReplyMessage?> QueryAsync(string socketPath, CancellationToken cancellationToken)
    {
        try
        {
            await using var client = await HubClient.ConnectAsync(socketPath, cancellationToken: cancellationToken).ConfigureAwait(false);
            var answer = await client.RequestAsync(new HubStatusMessage(), AnswerWait, cancellationToken).ConfigureAwait(false);
            return answer as HubStatusReplyMessage;
        }
        catch (Exception ex) when (ex is HubUnreachableException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Stops the hub answering at the socket: SIGTERM to exactly its pid, SIGKILL after 5 s, then waits until the
    /// process is gone and removes a socket file it left behind. Returns the stopped pid, or null when none ran.
    /// </summary>
    public static async Task<int?> StopAsync(DataDir dataDir, CancellationToken cancellationToken)
    {
        var socketPath = dataDir.SocketPath;
        var status = await QueryAsync(socketPath, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return null;
        }

        var pid = status.Pid;
        ProcessControl.Signal(pid, ProcessControl.SIGTERM);
        if (!await WaitForExitAsync(pid, GracefulWait, cancellationToken).ConfigureAwait(false))
        {
            ProcessControl.Signal(pid, ProcessControl.SIGKILL);
            if (!await WaitForExitAsync(pid, GracefulWait, cancellationToken).ConfigureAwait(false))
            {
                throw new CliError(ErrorCodes.Unexpected, $"hub pid {pid} did not exit after SIGKILL");
            }
        }

        // A graceful hub removed its socket; after SIGKILL the file is stale unless a new hub already took the path.
        if (File.Exists(socketPath) && await QueryAsync(socketPath, cancellationToken).ConfigureAwait(false) is null)
        {
            try
            {
                File.Delete(socketPath);
            }
            catch (IOException)
            {
            }
        }

        return pid;
    }

    private static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (ProcessControl.IsAlive(pid))
        {
            if (stopwatch.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
