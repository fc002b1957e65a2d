using Relay.Hub;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>An <see cref="IPeer"/> that keeps what the router sends it, in order, and can be told to overflow.</summary>
internal sealed class FakePeer : IPeer
{
    private static long s_nextId;

    // Native peers report from thread-pool threads (their inbox writes finish there): Received is shared.
    private readonly Lock _gate = new();

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
        var parsed = RelayJson.ParseServer(RelayJson.Serialize(message));
        lock (_gate)
        {
            Received.Add(parsed);
        }

        return Overflow ? SendResult.Overflowed : SendResult.Queued;
    }

    public SendResult Send(ReadOnlySpan<byte> line)
    {
        if (Completed)
        {
            return SendResult.Closed;
        }

        var parsed = RelayJson.ParseServer(line.TrimEnd((byte)'\n'));
        lock (_gate)
        {
            Received.Add(parsed);
        }

        return Overflow ? SendResult.Overflowed : SendResult.Queued;
    }

    public void Complete() => Completed = true;

    public void Abort() => Aborts++;

    /// <summary>Removes and returns everything received so far.</summary>
    public List<ServerMessage> Drain()
    {
        lock (_gate)
        {
            var messages = new List<ServerMessage>(Received);
            Received.Clear();
            return messages;
        }
    }

    /// <summary>The only message received since the last drain, as <typeparamref name="T"/>.</summary>
    public T Single<T>()
        where T : ServerMessage
    {
        var messages = Drain();
        Assert.True(messages.Count == 1, $"{this} expected one {typeof(T).Name}, got {messages.Count}: {string.Join(", ", messages.Select(m => m.GetType().Name))}");
        return Assert.IsType<T>(messages[0]);
    }

    /// <summary>Waits (up to 10 s of real time) until a message matching <paramref name="match"/> arrived; removes and returns it.</summary>
    public T WaitFor<T>(Func<T, bool>? match = null)
        where T : ServerMessage
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            lock (_gate)
            {
                var index = Received.FindIndex(m => m is T t && (match is null || match(t)));
                if (index >= 0)
                {
                    var found = (T)Received[index];
                    Received.RemoveAt(index);
                    return found;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"{this} got no {typeof(T).Name} in 10 s");
            Thread.Sleep(10);
        }
    }

    public ErrMessage SingleErr(string code)
    {
        var err = Single<ErrMessage>();
        Assert.Equal(code, err.Code);
        return err;
    }

    public override string ToString() => Name ?? "peer#" + Id;
}
