using System.Text;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary>Garbage on one connection gets bad_msg (or, for an over-long line, a close) and never disturbs anyone else.</summary>
public sealed class HubHostileInputTests
{
    private static readonly (string What, string Line)[] BadLines =
    [
        ("malformed JSON", "{\"type\":\"ask\",\"to\":"),
        ("not JSON at all", "hello hub"),
        ("JSON null", "null"),
        ("an array", "[1,2,3]"),
        ("a number", "42"),
        ("a string", "\"register\""),
        ("no type", "{\"name\":\"x\"}"),
        ("an unknown type", "{\"type\":\"launch_missiles\"}"),
        ("a server type", "{\"type\":\"ack\",\"name\":\"x\"}"),
        ("a numeric type", "{\"type\":7}"),
        ("a wrong field type", "{\"type\":\"ask\",\"to\":5,\"question\":\"q\",\"ask_id\":\"a\"}"),
        ("a null required field", "{\"type\":\"register\",\"name\":null,\"protocol_version\":1}"),
        ("a missing required field", "{\"type\":\"ask\",\"to\":\"bob\"}"),
        ("a string protocol version", "{\"type\":\"register\",\"name\":\"x\",\"protocol_version\":\"1\"}"),
        ("deep nesting", "{\"type\":\"list_peers\",\"x\":" + new string('[', 5000) + new string(']', 5000) + "}"),
        ("deep nesting alone", new string('{', 3000)),
        ("trailing garbage", "{\"type\":\"list_peers\"} trailing"),
    ];

    [Fact]
    public async Task Every_kind_of_bad_line_errs_bad_msg_and_the_connection_and_hub_keep_working()
    {
        // One hub for all the cases: the point is that it keeps serving through every one of them.
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");

        foreach (var (what, line) in BadLines)
        {
            await alice.SendLineAsync(line);
            var err = await alice.NextAsync<ErrMessage>();

            Assert.True(err.Code == ErrorCodes.BadMsg, $"{what}: got {err.Code}");
            Assert.False(string.IsNullOrWhiteSpace(err.Message), what);
            Assert.DoesNotContain("launch_missiles", err.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hello", err.Message, StringComparison.Ordinal);
            await AssertStillRoutesAsync(alice, bob);
        }

        await bob.ExpectNoMessageAsync();
    }

    [Fact]
    public async Task A_bad_line_with_a_readable_req_id_gets_an_err_carrying_it()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        await alice.SendLineAsync("{\"req_id\":\"r-77\",\"type\":\"ask\",\"to\":[1]}");

        Assert.Equal("r-77", (await alice.NextErrAsync(ErrorCodes.BadMsg)).ReqId);
    }

    [Fact]
    public async Task Invalid_UTF8_errs_bad_msg_and_the_connection_keeps_working()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        var bytes = new List<byte>();
        bytes.AddRange("{\"type\":\"ask\",\"to\":\"bob\",\"ask_id\":\"a-9\",\"req_id\":\"r-1\",\"question\":\""u8.ToArray());
        bytes.AddRange(new byte[] { 0xC3, 0x28, 0xFF, 0xFE });
        bytes.AddRange("\"}\n"u8.ToArray());

        await alice.SendRawAsync(bytes.ToArray());
        var err = await alice.NextErrAsync(ErrorCodes.BadMsg);

        Assert.Equal("r-1", err.ReqId);
        await bob.ExpectNoMessageAsync();
        await AssertStillRoutesAsync(alice, bob);
    }

    [Fact]
    public async Task A_2_MiB_line_closes_only_that_connection()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        var hostile = await world.PeerAsync("hostile");
        var line = Encoding.UTF8.GetBytes("{\"type\":\"broadcast\",\"question\":\"" + new string('x', 2 * 1024 * 1024) + "\"}\n");

        try
        {
            await hostile.SendRawAsync(line);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The hub may close while the rest of the line is still on its way.
        }

        Assert.True(await hostile.WaitClosedAsync(), "the hub kept the connection that sent a 2 MiB line");
        await bob.ExpectNoMessageAsync();
        await AssertStillRoutesAsync(alice, bob);
        await alice.WaitForPeerAsync("hostile", listed: false);
    }

    [Fact]
    public async Task Blank_lines_and_CRLF_endings_are_accepted()
    {
        await using var world = await HubWorld.StartAsync();
        var client = await world.ConnectAsync();

        await client.SendRawAsync("\n\r\n{\"type\":\"hub_status\",\"req_id\":\"s\"}\r\n"u8.ToArray());

        Assert.Equal("s", (await client.NextAsync<HubStatusReplyMessage>()).ReqId);
    }

    [Fact]
    public async Task A_line_split_across_many_tiny_writes_is_read_as_one_message()
    {
        await using var world = await HubWorld.StartAsync();
        var client = await world.ConnectAsync();

        foreach (var b in "{\"type\":\"hub_status\",\"req_id\":\"slow\"}\n"u8.ToArray())
        {
            await client.SendRawAsync(new[] { b });
        }

        Assert.Equal("slow", (await client.NextAsync<HubStatusReplyMessage>()).ReqId);
    }

    [Fact]
    public async Task A_connection_that_closes_mid_line_leaves_the_hub_serving()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        var half = await world.PeerAsync("half");

        await half.SendRawAsync("{\"type\":\"ask\",\"to\":\"bob\",\"quest"u8.ToArray());
        await half.DisposeAsync();

        await bob.ExpectNoMessageAsync();
        await AssertStillRoutesAsync(alice, bob);
    }

    private static async Task AssertStillRoutesAsync(Infrastructure.RawHubClient alice, Infrastructure.RawHubClient bob)
    {
        var askId = "check-" + Guid.NewGuid().ToString("N");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "still there?", AskId = askId });
        Assert.Equal(askId, (await bob.NextAsync<IncomingAskMessage>()).AskId);
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = askId, Text = "yes" });
        Assert.Equal("yes", (await alice.NextAsync<IncomingReplyMessage>()).Text);
    }
}
