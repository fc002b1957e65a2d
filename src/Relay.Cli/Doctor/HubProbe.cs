using Relay.Protocol.Messages;
using Relay.Runtime.Client;

namespace Relay.Cli.Doctor;

internal enum HubState
{
    /// <summary>No socket file.</summary>
    Missing,
    /// <summary>A socket file nothing answers on (a crashed hub left it).</summary>
    Stale,
    /// <summary>A hub of this protocol version answered.</summary>
    Live,
    /// <summary>A hub answered with another protocol version.</summary>
    Mismatch,
    /// <summary>Something accepts connections but does not answer.</summary>
    Silent,
}

/// <summary>What one look at a hub socket found. Connects as a bare connection: never registers, never spawns.</summary>
internal sealed record HubProbe(HubState State, HubStatusReplyMessage? Status, int? HubProtocol, string Detail)
{
    public static async Task<HubProbe> RunAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return new HubProbe(HubState.Missing, null, null, "no socket file");
        }

        HubClient hub;
        try
        {
            hub = await HubClient.ConnectAsync(socketPath, cancellationToken: cancellationToken);
        }
        catch (HubUnreachableException ex)
        {
            return new HubProbe(HubState.Stale, null, null, ex.InnerException?.Message ?? ex.Message);
        }

        await using (hub)
        {
            try
            {
                var answer = await hub.RequestAsync(new HubStatusMessage(), timeout, cancellationToken);
                if (answer is HubStatusReplyMessage status)
                {
                    return status.ProtocolVersion == Protocol.ProtocolVersion.Current
                        ? new HubProbe(HubState.Live, status, status.ProtocolVersion, "answered hub_status")
                        : new HubProbe(HubState.Mismatch, status, status.ProtocolVersion, "hub_status reports another protocol version");
                }

                // A hub too old (or too new) to know hub_status: an observer registration still tells the versions apart.
                var watch = await hub.RequestAsync(new WatchMessage { ProtocolVersion = Protocol.ProtocolVersion.Current }, timeout, cancellationToken);
                return watch switch
                {
                    ErrMessage { Code: Protocol.ErrorCodes.ProtocolMismatch } err => new HubProbe(HubState.Mismatch, null, null, err.Message),
                    AckMessage ack => new HubProbe(HubState.Live, null, ack.ProtocolVersion, "hub_status unsupported, watch accepted"),
                    ErrMessage err => new HubProbe(HubState.Mismatch, null, null, $"the hub refused hub_status and watch ({err.Code}: {err.Message})"),
                    _ => new HubProbe(HubState.Silent, null, null, "unexpected answer"),
                };
            }
            catch (HubUnreachableException ex) when (ex.InnerException is TimeoutException)
            {
                return new HubProbe(HubState.Silent, null, null, $"no answer within {timeout.TotalSeconds:0} s");
            }
            catch (HubUnreachableException ex)
            {
                return new HubProbe(HubState.Silent, null, null, ex.Message);
            }
        }
    }
}
