using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

public sealed class ChannelErrorTests
{
    [Fact]
    public async Task A_malformed_JSON_RPC_line_is_logged_by_the_MCP_SDK_in_relays_log_and_the_channel_carries_on()
    {
        await using var sandbox = new RelaySandbox();
        await using var raw = RawChannel.Start(sandbox, sandbox.WorkDir("raw"));

        await raw.SendAsync("{this is not json");
        // The SDK's own transport error reaches relay's log file under the SDK's category (stdout stays JSON-RPC:
        // RawChannel parses every stdout line).
        var logs = await sandbox.WaitForLogAsync("message parsing failed");
        var line = logs.Split('\n').Single(l => l.Contains("message parsing failed", StringComparison.Ordinal));
        Assert.Contains("\"component\":\"ModelContextProtocol.Server.StreamServerTransport\"", line, StringComparison.Ordinal);
        Assert.Contains("\"role\":\"channel\"", line, StringComparison.Ordinal);
        Assert.Contains("JsonException", line, StringComparison.Ordinal);

        await raw.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        Assert.Equal(1, (await raw.NextAsync())["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_ask_whose_target_dies_before_replying_ends_with_peer_gone()
    {
        await using var sandbox = new RelaySandbox();
        // Hold 0: the hub ends a leaving channel's asks at once (ChannelHoldTests has the hold for its return).
        sandbox.Env[Relay.Hub.HubOptions.HoldVariable] = "0";
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "bob");
        var (alice, bob) = group;

        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "still there?" });
        Assert.True(ask.Ok, ask.Text);
        await bob.NextNotificationAsync();
        bob.Signal(Posix.SIGKILL);

        var error = await alice.NextNotificationAsync();
        Assert.Equal("error", error.Type);
        Assert.Equal("peer_gone", error.Get("code"));
        Assert.Equal(ask.Str("ask_id"), error.Get("ask_id"));
        Assert.Equal("bob", error.Get("to"));
        Assert.Contains("bob", error.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unanswered_ask_ends_with_timeout_after_RELAY_ASK_TIMEOUT_MS()
    {
        await using var sandbox = new RelaySandbox();
        await using var bob = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"));
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"), new Dictionary<string, string?> { ["RELAY_ASK_TIMEOUT_MS"] = "300" });
        await bob.NameAsync();

        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "quick?" });
        Assert.True(ask.Ok, ask.Text);
        var error = await alice.NextNotificationAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("error", error.Type);
        Assert.Equal("timeout", error.Get("code"));
        Assert.Equal(ask.Str("ask_id"), error.Get("ask_id"));
        Assert.Equal("bob", error.Get("to"));
        Assert.False(string.IsNullOrWhiteSpace(error.Content));

        // The late reply is refused: the ask is over.
        var incoming = await bob.NextNotificationAsync();
        var late = await bob.CallAsync("relay_reply", new() { ["ask_id"] = incoming.Get("ask_id"), ["text"] = "too late" });
        Assert.Equal("unknown_ask", late.Code);
    }

    [Fact]
    public async Task With_the_hub_gone_and_no_respawn_possible_tools_answer_hub_unreachable_quickly_and_pending_asks_end()
    {
        await using var sandbox = new RelaySandbox();
        var hub = await sandbox.StartHubAsync();
        // A hub that dies cannot be replaced: the channels' spawn runs /bin/false.
        var env = new Dictionary<string, string?> { ["RELAY_EXE"] = "/bin/false", ["RELAY_ASK_TIMEOUT_MS"] = "4000" };
        await using var group = await ChannelGroup.StartAsync(sandbox, [sandbox.WorkDir("alice"), sandbox.WorkDir("bob")], env);
        var alice = group[0];

        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "will you answer?" });
        Assert.True(ask.Ok, ask.Text);
        var broadcast = await alice.CallAsync("relay_broadcast", new() { ["question"] = "anyone?" });
        Assert.True(broadcast.Ok, broadcast.Text);
        // Both reached bob before the hub dies.
        await group[1].NextNotificationAsync();
        await group[1].NextNotificationAsync();
        hub.Signal(Posix.SIGKILL);

        // Broadcast parts are not re-submitted: a silent target ends with hub_unreachable at once.
        var lostBroadcast = await alice.NextNotificationAsync();
        Assert.Equal(("error", "hub_unreachable"), (lostBroadcast.Type, lostBroadcast.Get("code")));
        Assert.Equal(broadcast.Str("broadcast_id"), lostBroadcast.Get("broadcast_id"));
        Assert.Equal("bob", lostBroadcast.Get("to"));

        // The ask waits for a new hub to re-submit to; none comes, so it ends at its deadline, once.
        var ended = await alice.NextNotificationAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(("error", "timeout"), (ended.Type, ended.Get("code")));
        Assert.Equal(ask.Str("ask_id"), ended.Get("ask_id"));
        Assert.Equal("bob", ended.Get("to"));

        // A reply to the ask bob was shown is kept for the hub's return, and the tool says so.
        var reply = await group[1].CallAsync("relay_reply", new() { ["ask_id"] = ask.Str("ask_id"), ["text"] = "t" });
        Assert.True(reply.Ok, reply.Text);
        Assert.True(reply.Json.GetProperty("queued").GetBoolean());

        foreach (var (tool, args) in new (string, Dictionary<string, object?>)[]
        {
            ("relay_peers", new()),
            ("relay_ask", new() { ["to"] = "bob", ["question"] = "q" }),
            ("relay_reply", new() { ["ask_id"] = "a-1", ["text"] = "t" }),
            ("relay_broadcast", new() { ["question"] = "q" }),
            ("relay_rename", new() { ["new_name"] = "other" }),
        })
        {
            var stopwatch = Stopwatch.StartNew();
            var result = await alice.CallAsync(tool, args);
            Assert.True(result.IsError, result.Text);
            Assert.Equal("hub_unreachable", result.Code);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"{tool} took {stopwatch.ElapsedMilliseconds} ms");
        }

        Assert.False(alice.HasExited);
    }

    [Fact]
    public async Task A_hub_that_refuses_the_protocol_version_is_reported_as_protocol_mismatch()
    {
        await using var sandbox = new RelaySandbox();
        Directory.CreateDirectory(sandbox.DataDir);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(sandbox.SocketPath));
        listener.Listen();
        using var stop = new CancellationTokenSource();
        // A stand-in for a hub of another relay version: it refuses every register.
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var connection = await listener.AcceptAsync(stop.Token);
                _ = RefuseAsync(connection, stop.Token);
            }
        });

        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"), new Dictionary<string, string?> { ["RELAY_EXE"] = "/bin/false" });
        var result = await alice.CallAsync("relay_peers");
        Assert.True(result.IsError, result.Text);
        Assert.Equal("protocol_mismatch", result.Code);
        Assert.Contains("99", result.Str("message"), StringComparison.Ordinal);
        await stop.CancelAsync();
    }

    private static async Task RefuseAsync(Socket connection, CancellationToken cancellationToken)
    {
        using var owned = connection;
        using var stream = new NetworkStream(connection);
        using var reader = new StreamReader(stream);
        try
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                var reqId = JsonNode.Parse(line)!["req_id"]!.GetValue<string>();
                var err = $$"""{"type":"err","code":"protocol_mismatch","message":"this hub speaks protocol 99","req_id":"{{reqId}}"}""" + "\n";
                await stream.WriteAsync(Encoding.UTF8.GetBytes(err), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }
    }
}
