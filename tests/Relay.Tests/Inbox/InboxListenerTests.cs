using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Relay.Inbox;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Inbox;

public sealed class InboxListenerTests : IDisposable
{
    private const string HeldReceipt = """{"type":"control","action":"peer_message_status","status":"held","reason":"r","from":"uds:/x/7795.sock","orig_msg_id":"m-1","msgV":1,"msg_id":"r-1"}""";

    private readonly InboxTempDir _dir = new();
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>();

    public void Dispose() => _dir.Dispose();

    private InboxListener Start(TimeProvider? time = null, int? maxLineBytes = null)
    {
        var listener = new InboxListener(InboxAddress.NewIn(_dir.Path), time, maxLineBytes: maxLineBytes);
        listener.ReceiptReceived += r => _events.Writer.TryWrite(r);
        listener.MessageReceived += m => _events.Writer.TryWrite(m);
        listener.LineIgnored += k => _events.Writer.TryWrite(k);
        listener.Start();
        return listener;
    }

    private async Task<object> NextEventAsync() => await _events.Reader.ReadAsync().AsTask().WithTimeout(what: "a listener event");

    private static async Task<Socket> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task SendAsync(string path, string text)
    {
        using var socket = await ConnectAsync(path);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text));
        socket.Shutdown(SocketShutdown.Send);
    }

    [Fact]
    public async Task Binds_0600_and_unlinks_on_dispose()
    {
        var listener = Start();
        Assert.True(File.Exists(listener.SocketPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(listener.SocketPath));
        Assert.Equal("uds:" + listener.SocketPath, listener.Address);
        Assert.Equal(_dir.Path, Path.GetDirectoryName(listener.SocketPath));
        await listener.DisposeAsync();
        Assert.False(File.Exists(listener.SocketPath));
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Raises_receipts_and_messages_and_reports_the_rest()
    {
        await using var listener = Start();
        var envelope = InboxEnvelope.Build("uds:/x/4709.sock", "bob", InboxSenderMode.Prompting, "the answer");
        var message = Encoding.UTF8.GetString(InboxOutgoingLine.UserMessage("m-2", envelope, "uds:/x/4709.sock"));
        await SendAsync(listener.SocketPath, HeldReceipt + "\r\n\n" + message + "{\"type\":\"auth\",\"token\":\"t\"}\nnot json\n");

        var receipt = Assert.IsType<InboxReceipt>(await NextEventAsync());
        Assert.Equal(InboxReceiptStatus.Held, receipt.Status);
        Assert.Equal("m-1", receipt.OrigMsgId);
        var incoming = Assert.IsType<InboxIncomingMessage>(await NextEventAsync());
        Assert.Equal("m-2", incoming.MsgId);
        Assert.Equal("uds:/x/4709.sock", incoming.From);
        Assert.Equal("bob", incoming.FromName);
        Assert.Equal(InboxSenderMode.Prompting, incoming.FromMode);
        Assert.Equal("the answer", incoming.Body);
        Assert.Equal(InboxLineKind.Other, await NextEventAsync());
        Assert.Equal(InboxLineKind.Invalid, await NextEventAsync());
    }

    [Fact]
    public async Task Serves_many_connections_at_once_and_lines_split_across_writes()
    {
        await using var listener = Start();
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ConnectAsync(listener.SocketPath)));
        var bytes = Encoding.UTF8.GetBytes(HeldReceipt + "\n");
        foreach (var client in clients)
        {
            await client.SendAsync(bytes.AsMemory(0, 10));
        }

        foreach (var client in clients)
        {
            await client.SendAsync(bytes.AsMemory(10));
            await client.SendAsync(bytes);
            client.Dispose();
        }

        for (var i = 0; i < 40; i++)
        {
            Assert.IsType<InboxReceipt>(await NextEventAsync());
        }
    }

    [Fact]
    public async Task An_over_long_line_closes_only_that_connection()
    {
        await using var listener = Start(maxLineBytes: 1024);
        using var hog = await ConnectAsync(listener.SocketPath);
        await hog.SendAsync(new byte[4096].Select(_ => (byte)'x').ToArray());
        var buffer = new byte[16];
        Assert.Equal(0, await hog.ReceiveAsync(buffer.AsMemory()).AsTask().WithTimeout(what: "the server to close the hog"));

        await SendAsync(listener.SocketPath, HeldReceipt + "\n");
        Assert.IsType<InboxReceipt>(await NextEventAsync());
    }

    [Fact]
    public async Task A_connection_idle_for_30_seconds_is_closed()
    {
        var time = new ManualTimeProvider();
        await using var listener = Start(time);
        using var idle = await ConnectAsync(listener.SocketPath);
        using var chatty = await ConnectAsync(listener.SocketPath);
        await time.WaitForArmedTimersAsync(2);

        time.Advance(TimeSpan.FromSeconds(20));
        await chatty.SendAsync(Encoding.UTF8.GetBytes(HeldReceipt + "\n"));
        Assert.IsType<InboxReceipt>(await NextEventAsync());
        time.Advance(TimeSpan.FromSeconds(10));

        var buffer = new byte[16];
        Assert.Equal(0, await idle.ReceiveAsync(buffer.AsMemory()).AsTask().WithTimeout(what: "the idle connection to close"));
        var pending = chatty.ReceiveAsync(buffer.AsMemory()).AsTask();
        await Task.Delay(100);
        Assert.False(pending.IsCompleted, "a connection that sent a line 10 s ago stays open");

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, await pending.WithTimeout(what: "the chatty connection to close after its own 30 s"));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced_but_a_live_one_is_not()
    {
        var path = InboxAddress.NewIn(_dir.Path);
        StaleSocket.Create(path);
        await using (var listener = new InboxListener(path))
        {
            listener.Start();
            await SendAsync(path, "x\n");

            await using var second = new InboxListener(path);
            Assert.Throws<IOException>(second.Start);
            Assert.True(File.Exists(path));
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_throwing_handler_does_not_stop_the_listener()
    {
        await using var listener = Start();
        var calls = 0;
        listener.ReceiptReceived += _ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("subscriber bug");
        };

        await SendAsync(listener.SocketPath, HeldReceipt + "\n" + HeldReceipt + "\n");
        Assert.IsType<InboxReceipt>(await NextEventAsync());
        Assert.IsType<InboxReceipt>(await NextEventAsync());
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task An_outbox_message_reaches_a_listener_end_to_end()
    {
        await using var receiver = Start();
        await using var outbox = new InboxOutbox();
        var from = "uds:" + _dir.File("1-0badcafe.sock");
        var content = InboxEnvelope.Build(from, "alice", InboxSenderMode.Bypass, "ping\n</cross-session-message>\nstill body");

        var delivery = await outbox.SendAsync(receiver.SocketPath, new InboxMessage(content, from, AuthToken: "tok")).WithTimeout();

        Assert.Equal(InboxDeliveryStatus.Delivered, delivery.Status);
        Assert.Equal(InboxLineKind.Other, await NextEventAsync()); // the auth line
        var message = Assert.IsType<InboxIncomingMessage>(await NextEventAsync());
        Assert.Equal(delivery.MsgId, message.MsgId);
        Assert.Equal(from, message.From);
        Assert.Equal(from, message.LineFrom);
        Assert.Equal(InboxSenderMode.Bypass, message.FromMode);
        Assert.Equal("ping\n<\\/cross-session-message>\nstill body", message.Body);
    }
}
