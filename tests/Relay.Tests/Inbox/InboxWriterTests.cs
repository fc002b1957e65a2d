using System.Text;
using Relay.Inbox;
using Xunit;

namespace Relay.Tests.Inbox;

public sealed class InboxWriterTests : IDisposable
{
    private readonly InboxTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Writes_auth_then_the_message_line_then_closes()
    {
        await using var server = new RawInboxServer(_dir.File("4709.sock"));
        var content = InboxEnvelope.Build("uds:" + _dir.File("1-00000000.sock"), "alice", InboxSenderMode.Prompting, "hi");

        var delivery = await InboxWriter.SendAsync(server.Path, new InboxMessage(content, "uds:" + _dir.File("1-00000000.sock"), AuthToken: "0123abcd"));

        Assert.Equal(InboxDeliveryStatus.Delivered, delivery.Status);
        Assert.True(Guid.TryParse(delivery.MsgId, out _));
        var lines = Encoding.UTF8.GetString(await server.NextAsync()).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("{\"type\":\"auth\",\"token\":\"0123abcd\"}", lines[0]);
        Assert.Equal(InboxLineKind.Message, InboxLineParser.Parse(Encoding.UTF8.GetBytes(lines[1]), out _, out var message));
        Assert.Equal(delivery.MsgId, message!.MsgId);
        Assert.Equal("alice", message.FromName);
        Assert.Equal("hi", message.Body);
        Assert.Contains("\"priority\":\"next\"", lines[1], StringComparison.Ordinal);
        Assert.Equal("", lines[2]);
    }

    [Fact]
    public async Task Without_a_token_there_is_no_auth_line_and_the_msg_id_is_kept()
    {
        await using var server = new RawInboxServer(_dir.File("4709.sock"));
        var delivery = await InboxWriter.SendAsync("uds:" + server.Path, new InboxMessage("plain", null, MsgId: "m-1", Priority: "now"));
        Assert.Equal(InboxDeliveryStatus.Delivered, delivery.Status);
        Assert.Equal("m-1", delivery.MsgId);
        Assert.Equal("{\"msgV\":1,\"msg_id\":\"m-1\",\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"plain\"},\"priority\":\"now\"}\n", Encoding.UTF8.GetString(await server.NextAsync()));
    }

    [Fact]
    public async Task A_missing_socket_is_reported()
    {
        var delivery = await InboxWriter.SendAsync(_dir.File("404.sock"), new InboxMessage("x", null));
        Assert.Equal(InboxDeliveryStatus.SocketMissing, delivery.Status);
        Assert.NotNull(delivery.Error);
    }

    [Fact]
    public async Task A_stale_socket_is_connection_refused()
    {
        var path = _dir.File("4710.sock");
        StaleSocket.Create(path);
        Assert.True(File.Exists(path));
        var delivery = await InboxWriter.SendAsync(path, new InboxMessage("x", null));
        Assert.Equal(InboxDeliveryStatus.ConnectionRefused, delivery.Status);
    }

    [Fact]
    public async Task An_oversized_line_is_refused_before_connecting()
    {
        await using var server = new RawInboxServer(_dir.File("4711.sock"));
        var fits = new string('a', InboxOutgoingLine.MaxLineBytes - 200);
        var tooBig = new string('a', InboxOutgoingLine.MaxLineBytes);
        var overByEscaping = new string('\n', InboxOutgoingLine.MaxLineBytes / 2); // 2 bytes each once escaped

        Assert.Equal(InboxDeliveryStatus.Delivered, (await InboxWriter.SendAsync(server.Path, new InboxMessage(fits, "uds:/a/1.sock"))).Status);
        Assert.Equal(fits.Length + 110, (await server.NextAsync()).Length, tolerance: 60);
        Assert.Equal(InboxDeliveryStatus.TooLarge, (await InboxWriter.SendAsync(server.Path, new InboxMessage(tooBig, null))).Status);
        Assert.Equal(InboxDeliveryStatus.TooLarge, (await InboxWriter.SendAsync(server.Path, new InboxMessage(overByEscaping, null))).Status);
        Assert.False(server.Connections.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Not_an_address_or_empty_content_is_a_write_failure()
    {
        Assert.Equal(InboxDeliveryStatus.WriteFailed, (await InboxWriter.SendAsync("relative.sock", new InboxMessage("x", null))).Status);
        Assert.Equal(InboxDeliveryStatus.WriteFailed, (await InboxWriter.SendAsync(_dir.File("1.sock"), new InboxMessage("", null))).Status);
    }

    [Fact]
    public async Task A_regular_file_at_the_path_is_not_a_success()
    {
        var path = _dir.File("4712.sock");
        await File.WriteAllTextAsync(path, "not a socket");
        var delivery = await InboxWriter.SendAsync(path, new InboxMessage("x", null));
        Assert.NotEqual(InboxDeliveryStatus.Delivered, delivery.Status);
    }
}
