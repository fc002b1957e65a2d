using System.Threading.Channels;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

/// <summary>A raw hub peer driven by a test: registers under a name, records what the hub pushes, asks and replies.</summary>
public sealed class TestPeer : IAsyncDisposable
{
    private readonly Channel<ServerMessage> _inbox = Channel.CreateUnbounded<ServerMessage>();
    private HubClient _hub = null!;
    private Task _autoReply = Task.CompletedTask;
    private readonly CancellationTokenSource _stop = new();

    public required string Name { get; init; }

    public static async Task<TestPeer> JoinAsync(RelaySandbox sandbox, string name, string kind = PeerKinds.Claude)
    {
        var peer = new TestPeer { Name = name };
        peer._hub = await HubClient.ConnectAsync(sandbox.SocketPath, m => peer._inbox.Writer.TryWrite(m));
        var answer = await peer._hub.RequestAsync(new RegisterMessage
        {
            Name = name,
            ProtocolVersion = ProtocolVersion.Current,
            Cwd = sandbox.WorkDir(name),
            GitBranch = "main",
            Pid = Environment.ProcessId,
            Kind = kind,
        }).WithTimeout(what: "register " + name);
        Assert.IsType<AckMessage>(answer);
        return peer;
    }

    /// <summary>The next incoming ask (other pushes are skipped).</summary>
    public async Task<IncomingAskMessage> NextAskAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var message = await _inbox.Reader.ReadAsync(cts.Token);
            if (message is IncomingAskMessage ask)
            {
                return ask;
            }
        }
    }

    /// <summary>The next reply or ask error for one of this peer's asks.</summary>
    public async Task<ServerMessage> NextOutcomeAsync(string askId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var message = await _inbox.Reader.ReadAsync(cts.Token);
            if (message is IncomingReplyMessage reply && reply.AskId == askId || message is ErrMessage err && err.AskId == askId)
            {
                return message;
            }
        }
    }

    public async Task<ServerMessage> ReplyAsync(string askId, string text) =>
        await _hub.RequestAsync(new ReplyMessage { AskId = askId, Text = text }).WithTimeout(what: "reply ack");

    /// <summary>Sends an ask and returns its id once the hub acked it.</summary>
    public async Task<string> AskAsync(string to, string question, TimeSpan? timeout = null)
    {
        var askId = RandomIds.New("t");
        var answer = await _hub.RequestAsync(new AskMessage { To = to, Question = question, AskId = askId, TimeoutMs = (long?)timeout?.TotalMilliseconds }).WithTimeout(what: "ask ack");
        Assert.IsType<AckMessage>(answer);
        return askId;
    }

    /// <summary>Answers every incoming ask with <paramref name="answer"/>(question) from now on.</summary>
    public void AnswerAll(Func<string, string> answer)
    {
        _autoReply = Task.Run(async () =>
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var ask = await NextAskAsync(Timeout.InfiniteTimeSpan).WaitAsync(_stop.Token);
                    await _hub.SendAsync(new ReplyMessage { AskId = ask.AskId, Text = answer(ask.Question) });
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or HubUnreachableException or ChannelClosedException)
            {
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _hub.DisposeAsync();
        await _autoReply.WaitAsync(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
