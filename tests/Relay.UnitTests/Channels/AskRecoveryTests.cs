using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NLog;
using Relay.Channels;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;
using Xunit;

namespace Relay.UnitTests.Channels;

/// <summary>
/// The target's reply path across a hub restart, against a scripted hub: a reply the new hub refuses
/// <c>unknown_ask</c> is kept for the asker's re-submission, and a re-submission that arrives between that refusal
/// and the keeping makes the reply go again at once (it was lost before: the reply was neither kept nor sent).
/// </summary>
public sealed class AskRecoveryTests : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("relay-recovery-").FullName;
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly SeenAsks _seen = new();
    private readonly AskRecovery _recovery;

    public AskRecoveryTests()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(4);
        _recovery = new AskRecovery(new PendingAsks(), _seen, _ => { }, LogManager.GetLogger("test"));
    }

    private string SocketPath => Path.Combine(_dir, "hub.sock");

    [Fact]
    public async Task A_reply_refused_by_a_new_hub_is_kept_and_handed_to_the_resubmission()
    {
        _seen.Arrived("a-1", epoch: 1);
        await using var client = await HubClient.ConnectAsync(SocketPath);
        using var hub = new ScriptedHub(await _listener.AcceptAsync());

        var reply = _recovery.ReplyAsync(_ => Task.FromResult((client, 2)), "a-1", "yes", CancellationToken.None);
        var sent = await hub.ReadAsync();
        await hub.AnswerAsync(sent, """{"type":"err","code":"unknown_ask","message":"no ask a-1"}""");

        var outcome = await reply;
        Assert.True(outcome.Held);
        var resubmitted = _seen.Arrived("a-1", epoch: 2);
        Assert.Equal((SeenAsks.ReplyState.Waiting, "yes"), (resubmitted!.State, resubmitted.Reply));
    }

    [Fact]
    public async Task A_resubmission_that_arrives_between_the_refusal_and_the_keeping_gets_the_reply_sent_again()
    {
        _seen.Arrived("a-1", epoch: 1);
        await using var client = await HubClient.ConnectAsync(SocketPath);
        using var hub = new ScriptedHub(await _listener.AcceptAsync());

        var reply = _recovery.ReplyAsync(_ => Task.FromResult((client, 2)), "a-1", "yes", CancellationToken.None);
        var first = await hub.ReadAsync();

        // The asker re-submits: the new hub now knows the ask and shows it to this channel, which has no reply to
        // re-send yet (the model's reply is still on its way), and only then does the refusal of that reply come back.
        var arrival = _seen.Arrived("a-1", epoch: 2);
        Assert.Equal(SeenAsks.ReplyState.None, arrival!.State);
        await hub.AnswerAsync(first, """{"type":"err","code":"unknown_ask","message":"no ask a-1"}""");

        var again = await hub.ReadAsync();
        Assert.Equal(("reply", "a-1", "yes"), (again.GetProperty("type").GetString(), again.GetProperty("ask_id").GetString(), again.GetProperty("text").GetString()));
        await hub.AnswerAsync(again, """{"type":"ack"}""");

        var outcome = await reply;
        Assert.False(outcome.Held);
        Assert.IsType<AckMessage>(outcome.Answer);
        Assert.Equal(SeenAsks.ReplyState.Sent, _seen.Arrived("a-1", epoch: 3)!.State);
    }

    [Fact]
    public async Task Unknown_ask_for_an_ask_that_arrived_on_this_connection_is_the_callers_error()
    {
        _seen.Arrived("a-1", epoch: 2);
        await using var client = await HubClient.ConnectAsync(SocketPath);
        using var hub = new ScriptedHub(await _listener.AcceptAsync());

        var reply = _recovery.ReplyAsync(_ => Task.FromResult((client, 2)), "a-1", "late", CancellationToken.None);
        await hub.AnswerAsync(await hub.ReadAsync(), """{"type":"err","code":"unknown_ask","message":"a-1 already ended"}""");

        var outcome = await reply;
        Assert.False(outcome.Held);
        Assert.Equal("unknown_ask", Assert.IsType<ErrMessage>(outcome.Answer).Code);
        Assert.Empty(_seen.Waiting());
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>The hub's end of one connection: reads request lines, answers them by req_id.</summary>
    private sealed class ScriptedHub(Socket socket) : IDisposable
    {
        private readonly StreamReader _reader = new(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);

        public async Task<JsonElement> ReadAsync()
        {
            var line = await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(line);
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }

        public async Task AnswerAsync(JsonElement request, string answer)
        {
            var withId = answer[..^1] + $",\"req_id\":\"{request.GetProperty("req_id").GetString()}\"}}\n";
            await socket.SendAsync(Encoding.UTF8.GetBytes(withId));
        }

        public void Dispose()
        {
            _reader.Dispose();
            socket.Dispose();
        }
    }
}
