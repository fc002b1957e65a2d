using System.Net.Sockets;
using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Channels;

/// <summary>One connection attempt: connect (spawning a hub), register under the first free name, route pushes.</summary>
internal sealed partial class HubLink
{
    private async Task<(HubClient? Client, int Epoch)> TryConnectAsync(CancellationToken stopping)
    {
        HubClient? client = null;
        var epoch = Interlocked.Increment(ref _epoch);
        try
        {
            client = await HubConnector.ConnectAsync(_dataDir, spawn: true, null, stopping).ConfigureAwait(false);
            var connected = client;
            client.Pushed = message => OnPushed(message, connected, epoch);
            await RegisterAsync(client, stopping).ConfigureAwait(false);
            lock (_gate)
            {
                _refusal = null;
            }

            return (client, epoch);
        }
        catch (Exception ex) when (ex is HubUnreachableException or IOException or SocketException or TimeoutException or RegisterRefusedException
            || (ex is OperationCanceledException && stopping.IsCancellationRequested))
        {
            if (!stopping.IsCancellationRequested)
            {
                _log.Event(LogLevel.Warn, "hub_connect_failed", ("error", ex.Message));
            }

            lock (_gate)
            {
                _refusal = ex as RegisterRefusedException;
            }

            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            return (null, epoch);
        }
    }

    private async Task RegisterAsync(HubClient client, CancellationToken stopping)
    {
        var template = new RegisterMessage
        {
            Name = _names.Current,
            ProtocolVersion = ProtocolVersion.Current,
            Cwd = _identity.Cwd,
            GitBranch = Relay.Runtime.GitBranch.Read(_identity.Cwd),
            Pid = Environment.ProcessId,
            Kind = PeerKinds.Claude,
            Delivery = _identity.Delivery,
            ClaudePid = _identity.ClaudePid,
            SessionId = _identity.SessionId,
        };

        // First the current name (a reconnect keeps it), then base, base-2, base-3, … with no upper bound.
        var registration = await PeerRegistrar.RegisterAsync(client, template, _names.Candidates(), stopping).ConfigureAwait(false);
        if (registration.Refusal is { } err)
        {
            throw new RegisterRefusedException(err.Code, err.Message);
        }

        _names.Registered(registration.Name);
        _log.Event(LogLevel.Info, "peer_register", ("name", registration.Name), ("hub_pid", registration.Ack!.HubPid), ("tries", registration.Tries));
    }

    private void OnPushed(ServerMessage message, HubClient client, int epoch)
    {
        if (message is IncomingAskMessage ask && !_recovery.OnIncomingAsk(ask, client, epoch))
        {
            return;
        }

        var (pass, summary) = Pending.Observe(message);
        if (pass)
        {
            _pushed(message);
        }

        if (summary is not null)
        {
            _summarized(summary);
        }
    }
}
