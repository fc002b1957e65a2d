using System.Globalization;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;

namespace Relay.Bench.Soak;

/// <summary>
/// One soak peer: a raw hub connection registered as a <c>cli</c> peer that answers every incoming ask at once
/// (except a small share it ignores, which then time out), asks random other peers, sometimes broadcasts, and
/// records everything in the <see cref="SoakLedger"/>. It can leave and come back under the same name (churn).
/// </summary>
internal sealed class SoakPeer
{
    /// <summary>Every ask's timeout: short, so ignored asks end (as timeouts) within the run.</summary>
    public const long AskTimeoutMs = 3_000;

    private const double IgnoreShare = 0.01;

    private readonly string _socketPath;
    private readonly SoakLedger _ledger;
    private readonly Lock _gate = new();
    private HubClient? _client;
    private long _asks;
    private int _generation;

    public SoakPeer(string socketPath, string name, SoakLedger ledger)
    {
        _socketPath = socketPath;
        Name = name;
        _ledger = ledger;
    }

    public string Name { get; }

    /// <summary>Connects and registers (again, after a churn).</summary>
    public async Task ConnectAsync()
    {
        HubClient? client = null;
        client = await HubClient.ConnectAsync(_socketPath, message => OnPushed(client!, message)).ConfigureAwait(false);
        var answer = await client.RequestAsync(new RegisterMessage { Name = Name, ProtocolVersion = ProtocolVersion.Current, Kind = PeerKinds.Cli, Pid = Environment.ProcessId })
            .WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        if (answer is not AckMessage)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{Name} could not register: {(answer as ErrMessage)?.Code}");
        }

        lock (_gate)
        {
            _client = client;
            _generation++;
        }
    }

    /// <summary>Closes the connection; the asks it still waited for are abandoned (the hub drops them silently).</summary>
    public async Task LeaveAsync()
    {
        HubClient? client;
        lock (_gate)
        {
            client = _client;
            _client = null;
        }

        if (client is null)
        {
            return;
        }

        await client.DisposeAsync().ConfigureAwait(false);
        await client.Completion.ConfigureAwait(false);
        _ledger.Abandon(client);
    }

    /// <summary>Asks one random other peer; false when this peer is between connections.</summary>
    public async Task<bool> AskAsync(string target)
    {
        HubClient? client;
        int generation;
        lock (_gate)
        {
            client = _client;
            generation = _generation;
        }

        if (client is null)
        {
            return false;
        }

        var askId = string.Create(CultureInfo.InvariantCulture, $"{Name}.{generation}.{Interlocked.Increment(ref _asks)}");
        _ledger.Sent(askId, client);
        try
        {
            var answer = await client.RequestAsync(new AskMessage { To = target, Question = "soak question from " + Name, AskId = askId, TimeoutMs = AskTimeoutMs }).ConfigureAwait(false);
            if (answer is AckMessage)
            {
                _ledger.Accepted(askId);
            }
            else
            {
                _ledger.Refused(askId, (answer as ErrMessage)?.Code ?? answer.GetType().Name);
            }
        }
        catch (HubUnreachableException)
        {
            // Left while asking: abandoned with the rest of this connection's asks.
        }

        return true;
    }

    /// <summary>Asks every other peer.</summary>
    public async Task BroadcastAsync()
    {
        HubClient? client;
        lock (_gate)
        {
            client = _client;
        }

        if (client is null)
        {
            return;
        }

        try
        {
            var answer = await client.RequestAsync(new BroadcastMessage { Question = "soak broadcast from " + Name, TimeoutMs = AskTimeoutMs }).ConfigureAwait(false);
            if (answer is BroadcastAckMessage ack)
            {
                _ledger.BroadcastAccepted(ack.BroadcastId, ack.PeerCount, client);
            }
        }
        catch (HubUnreachableException)
        {
        }
    }

    private void OnPushed(HubClient client, ServerMessage message)
    {
        switch (message)
        {
            case IncomingAskMessage ask:
#pragma warning disable CA5394 // Not security: which few asks go unanswered (and so time out).
                if (Random.Shared.NextDouble() >= IgnoreShare)
#pragma warning restore CA5394
                {
                    _ = ReplyAsync(client, ask.AskId);
                }

                break;
            case IncomingReplyMessage reply:
                _ledger.Ended(reply.AskId, SoakOutcome.Reply, client);
                break;
            case ErrMessage { ReqId: null, AskId: { } askId, Code: ErrorCodes.Timeout }:
                _ledger.Ended(askId, SoakOutcome.Timeout, client);
                break;
            case ErrMessage { ReqId: null, AskId: { } askId, Code: ErrorCodes.PeerGone }:
                _ledger.Ended(askId, SoakOutcome.PeerGone, client);
                break;
        }
    }

    private static async Task ReplyAsync(HubClient client, string askId)
    {
        try
        {
            await client.SendAsync(new ReplyMessage { AskId = askId, Text = "soak answer" }).ConfigureAwait(false);
        }
        catch (HubUnreachableException)
        {
        }
    }
}
