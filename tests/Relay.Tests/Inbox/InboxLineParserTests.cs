using System.Text;
using Relay.Inbox;
using Xunit;

namespace Relay.Tests.Inbox;

public sealed class InboxLineParserTests
{
    private static InboxLineKind Parse(string line, out InboxReceipt? receipt, out InboxIncomingMessage? message) =>
        InboxLineParser.Parse(Encoding.UTF8.GetBytes(line), out receipt, out message);

    [Fact]
    public void Held_receipt_as_2_1_332_writes_it()
    {
        const string line = """{"type":"control","action":"peer_message_status","status":"held","reason":"Your message is held for the recipient user's approval before it reaches their Claude session (permission-mode parity).","from":"uds:/tmp/inboxexp/b/run/cc-socks/7795.sock","orig_msg_id":"5ef4aa16-0fc3-4ec6-867c-6d8e6270d819","msgV":1,"msg_id":"666f42b7-c4e4-41f1-b45e-ff76e2303e61"}""";
        Assert.Equal(InboxLineKind.Receipt, Parse(line, out var receipt, out _));
        Assert.NotNull(receipt);
        Assert.Equal(InboxReceiptStatus.Held, receipt.Status);
        Assert.Equal("held", receipt.RawStatus);
        Assert.Equal("5ef4aa16-0fc3-4ec6-867c-6d8e6270d819", receipt.OrigMsgId);
        Assert.Equal("uds:/tmp/inboxexp/b/run/cc-socks/7795.sock", receipt.From);
        Assert.Equal("666f42b7-c4e4-41f1-b45e-ff76e2303e61", receipt.MsgId);
        Assert.StartsWith("Your message is held", receipt.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Refused_arrives_as_expired_with_status_detail()
    {
        const string line = """{"type":"control","action":"peer_message_status","status":"expired","status_detail":"refused","reason":"The recipient session is not accepting cross-session messages","from":"uds:/x/8181.sock","orig_msg_id":"be7e","msgV":1,"msg_id":"38a5"}""";
        Assert.Equal(InboxLineKind.Receipt, Parse(line, out var receipt, out _));
        Assert.Equal(InboxReceiptStatus.Refused, receipt!.Status);
        Assert.Equal("expired", receipt.RawStatus);
        Assert.Equal("refused", receipt.StatusDetail);
    }

    [Theory]
    [InlineData("delivered", InboxReceiptStatus.Delivered)]
    [InlineData("expired", InboxReceiptStatus.Expired)]
    [InlineData("refused", InboxReceiptStatus.Refused)]
    [InlineData("denied", InboxReceiptStatus.Denied)]
    [InlineData("dropped", InboxReceiptStatus.Dropped)]
    [InlineData("later", InboxReceiptStatus.Unknown)]
    public void Statuses(string status, InboxReceiptStatus expected)
    {
        var line = $$"""{"type":"control","action":"peer_message_status","status":"{{status}}","orig_msg_id":"m","drop_reason":"rate-limited","dropped_msg_ids":["a",2,"b"]}""";
        Assert.Equal(InboxLineKind.Receipt, Parse(line, out var receipt, out _));
        Assert.Equal(expected, receipt!.Status);
        Assert.Equal("rate-limited", receipt.DropReason);
        Assert.Equal(["a", "b"], receipt.DroppedMsgIds);
    }

    [Fact]
    public void Coalesced_drop_receipt_names_every_dropped_message()
    {
        const string line = """{"type":"control","action":"peer_message_status","status":"dropped","reason":"r","from":"uds:/x/4709.sock","orig_msg_id":"e090","drop_reason":"rate-limited","dropped_msg_ids":["d17b","e090"],"msgV":1,"msg_id":"5da3"}""";
        Assert.Equal(InboxLineKind.Receipt, Parse(line, out var receipt, out _));
        Assert.Equal(InboxReceiptStatus.Dropped, receipt!.Status);
        Assert.Equal(["e090", "d17b"], receipt.AffectedMsgIds);
    }

    [Fact]
    public void SendMessage_line_as_2_1_332_writes_it()
    {
        const string line = """{"msgV":1,"msg_id":"41c0e868-0136-44f6-9ee8-47bd286c92d5","type":"user","message":{"role":"user","content":"<cross-session-message from=\"uds:/tmp/inboxexp/a/run/cc-socks/4709.sock\" hop-chain=\"fe8b356da2cc4c6fe41f1878\" from-name=\"cwd-63\" from-mode=\"prompting\">\nREPLY TEXT from fake model\n</cross-session-message>"},"priority":"next","from":"uds:/tmp/inboxexp/a/run/cc-socks/4709.sock"}""";
        Assert.Equal(InboxLineKind.Message, Parse(line, out _, out var message));
        Assert.NotNull(message);
        Assert.Equal("41c0e868-0136-44f6-9ee8-47bd286c92d5", message.MsgId);
        Assert.Equal("uds:/tmp/inboxexp/a/run/cc-socks/4709.sock", message.From);
        Assert.Equal("cwd-63", message.FromName);
        Assert.Equal(InboxSenderMode.Prompting, message.FromMode);
        Assert.Equal("REPLY TEXT from fake model", message.Body);
        Assert.NotNull(message.Envelope);
    }

    [Fact]
    public void Plain_content_keeps_the_line_from()
    {
        Assert.Equal(InboxLineKind.Message, Parse("""{"type":"user","message":{"role":"user","content":"hello"},"from":"uds:/a/1.sock"}""", out _, out var message));
        Assert.Equal("hello", message!.Body);
        Assert.Equal("uds:/a/1.sock", message.From);
        Assert.Null(message.FromName);
        Assert.Null(message.Envelope);
        Assert.Null(message.MsgId);
    }

    [Theory]
    [InlineData("""{"type":"auth","token":"abc"}""")]
    [InlineData("""{"type":"control","action":"rename","name":"x"}""")]
    [InlineData("""{"type":"user","message":{"role":"user","content":""}}""")]
    [InlineData("""{"type":"user","message":{"role":"user","content":[{"type":"text","text":"x"}]}}""")]
    [InlineData("""{"type":"user"}""")]
    [InlineData("""{"type":7}""")]
    [InlineData("""{}""")]
    public void Other_lines(string line) => Assert.Equal(InboxLineKind.Other, Parse(line, out _, out _));

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"x\"")]
    [InlineData("{\"type\":\"user\"")]
    [InlineData("{\"type\":\"user\"} {}")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    public void Invalid_lines(string line) => Assert.Equal(InboxLineKind.Invalid, Parse(line, out _, out _));

    [Fact]
    public void Invalid_utf8_is_invalid_not_an_exception()
    {
        byte[] line = [.. "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}}"u8];
        Assert.Equal(InboxLineKind.Invalid, InboxLineParser.Parse(line, out _, out _));
    }

    [Fact]
    public void Outgoing_lines_have_the_documented_shape()
    {
        var line = Encoding.UTF8.GetString(InboxOutgoingLine.UserMessage("id-1", "hi \"there\"\n", "uds:/a/1.sock"));
        Assert.Equal("{\"msgV\":1,\"msg_id\":\"id-1\",\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\\n\"},\"priority\":\"next\",\"from\":\"uds:/a/1.sock\"}\n", line);
        Assert.Contains("café <b> & 'x'", Encoding.UTF8.GetString(InboxOutgoingLine.UserMessage("id-1", "café <b> & 'x'", null)), StringComparison.Ordinal);
        Assert.Equal("{\"type\":\"auth\",\"token\":\"abc\"}\n", Encoding.UTF8.GetString(InboxOutgoingLine.Auth("abc")));
        Assert.Equal(InboxLineKind.Message, InboxLineParser.Parse(InboxOutgoingLine.UserMessage("id-1", "hi", null), out _, out var message));
        Assert.Equal("hi", message!.Body);
    }
}
