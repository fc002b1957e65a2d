using Relay.Hub;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>An <see cref="IPeer"/> that keeps what the router sends it, in order, and can be told to overflow.</summary>
internal sealed class FakePeer : IPeer
{
    private static long s_nextId;

    public FakePeer(DateTimeOffset connectedAt)
    {
        ConnectedAt = connectedAt;
        LastSeen = connectedAt;
    }

    public long Id { get; } = Interlocked.Increment(ref s_nextId);

    public string? Name { get; set; }

    public bool IsObserver { get; set; }

    public bool Departed { get; set; }

    public string? Kind { get; set; }

    public string Delivery { get; set; } = Relay.Protocol.Messages.DeliveryPaths.Socket;

    public int? ClaudePid { get; set; }

    public string? SessionId { get; set; }

    public string? Cwd { get; set; }

    public string? GitBranch { get; set; }

    public int? Pid { get; set; }

    public DateTimeOffset ConnectedAt { get; }

    public DateTimeOffset LastSeen { get; set; }

    public Dictionary<string, PendingAsk> AsksTo { get; } = new(StringComparer.Ordinal);

    public HashSet<PendingAsk> AsksFrom { get; } = [];

    public long QueuedBytes => 0;

    /// <summary>Every message received, in order (serialized lines are parsed back).</summary>
    public List<ServerMessage> Received { get; } = [];

    /// <summary>When set, the next send reports <see cref="SendResult.Overflowed"/>.</summary>
    public bool Overflow { get; set; }

    public bool Completed { get; private set; }

    public int Aborts { get; private set; }

    public SendResult Send(ServerMessage message)
    {
        if (Completed)
        {
            return SendResult.Closed;
        }

        // Round-trip through the wire form, so tests see exactly what a socket client would.
        Received.Add(RelayJson.ParseServer(RelayJson.Serialize(message)));
        return Overflow ? SendResult.Overflowed : SendResult.Queued;
    }

    public SendResult Send(ReadOnlySpan<byte> line)
    {
        if (Completed)
        {
            return SendResult.Closed;
        }

        Received.Add(RelayJson.ParseServer(line.TrimEnd((byte)'\n')));
        return Overflow ? SendResult.Overflowed : SendResult.Queued;
    }

    public void Complete() => Completed = true;

    public void Abort() => Aborts++;

    /// <summary>Removes and returns everything received so far.</summary>
    public List<ServerMessage> Drain()
    {
        var messages = new List<ServerMessage>(Received);
        Received.Clear();
        return messages;
    }

    /// <summary>The only message received since the last drain, as <typeparamref name="T"/>.</summary>
    public T Single<T>()
        where T : ServerMessage
    {
        var messages = Drain();
        Assert.True(messages.Count == 1, $"{this} expected one {typeof(T).Name}, got {messages.Count}: {string.Join(", ", messages.Select(m => m.GetType().Name))}");
        return Assert.IsType<T>(messages[0]);
    }

    public ErrMessage SingleErr(string code)
    {
        var err = Single<ErrMessage>();
        Assert.Equal(code, err.Code);
        return err;
    }

    public override string ToString() => Name ?? "peer#" + Id;
}
