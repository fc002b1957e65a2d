using System.Net.Sockets;
using System.Text;
using Relay.Hub.Native;
using Relay.Inbox;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>
/// A Claude Code session reached through its native inbox starts its relay channel while an ask to it is pending: the
/// native peer gives way (name included) and the pending ask moves to the channel, so the answer — by the channel's
/// relay_reply or by the model's native SendMessage that still reaches the old answer address — ends it exactly once.
/// </summary>
public sealed class RouterNativeHandoverTests : IDisposable
{
    private const int SessionPid = 424_242;

    private readonly RouterWorld _world = new();
    private readonly InboxOutbox _outbox = new();
    private readonly FakeInbox _inbox = new();

    [Fact]
    public void A_pending_native_ask_moves_to_the_sessions_channel_and_its_reply_ends_it_once()
    {
        var native = JoinNativeSession();
        var asker = _world.Register("asker");

        _world.Send(asker, new AskMessage { To = "proj", Question = "is the token shape the same?", AskId = "a-1" });
        Assert.Equal(DeliveryPaths.Inbox, asker.WaitFor<AckMessage>().Delivery);
        Assert.Contains("ask_id=a-1", _inbox.NextLine(), StringComparison.Ordinal);
        Assert.Equal(AskStates.Delivered, asker.WaitFor<AskStatusMessage>().Status);

        // The session's channel registers for the same Claude pid under the same name: the native peer gives way.
        var channel = _world.Connect();
        _world.Send(channel, new RegisterMessage { Name = "proj", ProtocolVersion = ProtocolVersion.Current, Kind = PeerKinds.Claude, ClaudePid = SessionPid });
        Assert.Equal("proj", channel.Single<AckMessage>().Name);
        Assert.True(native.Departed);
        Assert.Empty(channel.Drain()); // the ask is already in the session's inbox: it is not shown twice

        _world.Send(channel, new ReplyMessage { AskId = "a-1", Text = "same shape" });
        channel.Single<AckMessage>();
        var reply = asker.WaitFor<IncomingReplyMessage>();
        Assert.Equal(("proj", "same shape"), (reply.From, reply.Text));

        // The model's SendMessage answer arriving late at the old answer address finds no ask left: no second ending.
        _world.Router.HandleMessage(native, new ReplyMessage { AskId = "a-1", Text = "same shape (again)" });
        Assert.Empty(asker.Drain());
        Assert.Empty(channel.Drain()); // nor an unknown_ask for an answer the channel never sent
    }

    [Fact]
    public void After_the_handover_an_answer_through_the_old_answer_address_speaks_for_the_channel()
    {
        var native = JoinNativeSession();
        var asker = _world.Register("asker");
        _world.Send(asker, new AskMessage { To = "proj", Question = "q?", AskId = "a-2" });
        asker.WaitFor<AckMessage>();
        _inbox.NextLine();
        asker.WaitFor<AskStatusMessage>();

        var channel = _world.Connect();
        _world.Send(channel, new RegisterMessage { Name = "proj", ProtocolVersion = ProtocolVersion.Current, Kind = PeerKinds.Claude, ClaudePid = SessionPid });
        channel.Single<AckMessage>();

        // The model answered with SendMessage to the answer address the native peer wrote from.
        _world.Router.HandleMessage(native, new ReplyMessage { AskId = "a-2", Text = "answered natively" });
        var reply = asker.WaitFor<IncomingReplyMessage>();
        Assert.Equal(("proj", "answered natively"), (reply.From, reply.Text));
        Assert.Empty(channel.Drain()); // the ack for that answer is not the channel's

        _world.Send(channel, new ReplyMessage { AskId = "a-2", Text = "too late" });
        Assert.Equal(ErrorCodes.UnknownAsk, channel.Single<ErrMessage>().Code);
        Assert.Empty(asker.Drain());
    }

    [Fact]
    public void A_session_that_ends_before_its_channel_arrives_ends_the_pending_ask_with_peer_gone()
    {
        JoinNativeSession();
        var asker = _world.Register("asker");
        _world.Send(asker, new AskMessage { To = "proj", Question = "q?", AskId = "a-3" });
        asker.WaitFor<AckMessage>();
        _inbox.NextLine();
        asker.WaitFor<AskStatusMessage>();

        _world.Router.SyncNativeSessions([], Create);
        Assert.Equal(ErrorCodes.PeerGone, asker.WaitFor<ErrMessage>().Code);
        Assert.Empty(asker.Drain());
    }

    private NativeSessionPeer JoinNativeSession()
    {
        NativeSessionPeer? created = null;
        var record = new ClaudeSessionRecord { Pid = SessionPid, SessionId = "s-1", Cwd = "/work/proj", MessagingSocketPath = _inbox.Path };
        _world.Router.SyncNativeSessions([record], r => created = Create(r));
        Assert.NotNull(created);
        Assert.Equal("proj", created.Name);
        return created;
    }

    private NativeSessionPeer Create(ClaudeSessionRecord record) => new(record, _outbox, _world.Router.HandleMessage, _world.Time.GetUtcNow());

    public void Dispose()
    {
        _world.Dispose();
        _outbox.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2));
        _inbox.Dispose();
    }

    /// <summary>A listening socket in a temporary folder that stands for a session's inbox and keeps the lines written to it.</summary>
    private sealed class FakeInbox : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("relay-inbox-").FullName;
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly System.Collections.Concurrent.BlockingCollection<string> _lines = [];

        public FakeInbox()
        {
            Path = System.IO.Path.Combine(_dir, "4242.sock");
            _listener.Bind(new UnixDomainSocketEndPoint(Path));
            _listener.Listen(8);
            _ = AcceptAsync();
        }

        public string Path { get; }

        public string NextLine()
        {
            Assert.True(_lines.TryTake(out var line, TimeSpan.FromSeconds(10)), "nothing was written to the inbox in 10 s");
            return line;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var connection = await _listener.AcceptAsync().ConfigureAwait(false);
                    using var reader = new StreamReader(new NetworkStream(connection, ownsSocket: false), Encoding.UTF8);
                    while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                    {
                        _lines.Add(line);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                // The test is over.
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _lines.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
