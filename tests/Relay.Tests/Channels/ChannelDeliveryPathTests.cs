using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Relay.Inbox;
using Relay.Protocol.Messages;
using Relay.Tests.Cli;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

/// <summary>
/// The channel's three delivery paths through a real MCP client and a real hub: pull (relay_inbox), the native inbox
/// (a fake Claude Code inbox socket the test listens on: it sees exactly what relay writes and answers the way
/// Claude Code and its model do), and the broadcast summary. Askers are raw hub clients, so every ask state the hub
/// forwards is visible.
/// </summary>
public sealed class ChannelDeliveryPathTests
{
    private static readonly Dictionary<string, string?> Auto = new() { ["RELAY_DELIVERY"] = null };

    [Fact]
    public async Task Without_a_channel_flag_or_an_inbox_messages_wait_for_relay_inbox_and_are_handed_out_once()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var bob = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), Auto);
        await using var asker = await RawHubClient.RegisterAsync(sandbox.SocketPath, "asker");
        await WaitForPeerAsync(asker, "bob");

        var ack = await asker.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "pull me?", AskId = "a-pull-1" });
        Assert.Equal(DeliveryPaths.Pull, ack.Delivery);
        Assert.False(bob.HasPendingNotification);

        // The hub acks the asker before bob's channel has read the ask: fetch until it is there.
        var inbox = await Poll.ForAsync(() => bob.CallAsync("relay_inbox"), r => r.Ok && r.Json.GetProperty("messages").GetArrayLength() > 0, TimeSpan.FromSeconds(10), "the ask to wait in relay_inbox");
        Assert.Equal(DeliveryPaths.Pull, inbox.Str("delivery"));
        var message = Assert.Single(inbox.Json.GetProperty("messages").EnumerateArray());
        Assert.Equal("ask", message.GetProperty("type").GetString());
        Assert.Equal("asker", message.GetProperty("from").GetString());
        Assert.Equal("a-pull-1", message.GetProperty("ask_id").GetString());
        Assert.Equal("pull me?", message.GetProperty("text").GetString());

        // Handing it out tells the asker the model has it; a second fetch is empty.
        var surfaced = await asker.NextAsync<AskStatusMessage>();
        Assert.Equal(("a-pull-1", AskStates.Surfaced, "bob"), (surfaced.AskId, surfaced.Status, surfaced.To));
        Assert.Empty((await bob.CallAsync("relay_inbox")).Json.GetProperty("messages").EnumerateArray());

        Assert.True((await bob.CallAsync("relay_reply", new() { ["ask_id"] = "a-pull-1", ["text"] = "pulled" })).Ok);
        var reply = await asker.NextAsync<IncomingReplyMessage>();
        Assert.Equal("pulled", reply.Text);

        var peers = await bob.CallAsync("relay_peers");
        Assert.Equal(DeliveryPaths.Pull, peers.Str("delivery"));
        Assert.Equal(DeliveryPaths.Socket, peers.Json.GetProperty("peers").EnumerateArray().Single().GetProperty("delivery").GetString());
    }

    [Fact]
    public async Task With_a_native_inbox_the_ask_is_written_there_receipts_become_states_and_a_SendMessage_answer_becomes_the_reply()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var session = FakeInbox.Start(sandbox.Root);
        await using var bob = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), new Dictionary<string, string?>
        {
            ["RELAY_DELIVERY"] = null,
            [InboxEnvironment.Socket] = session.SocketPath,
            [InboxEnvironment.Token] = "0123456789abcdef0123456789abcdef",
        });
        await using var asker = await RawHubClient.RegisterAsync(sandbox.SocketPath, "asker");
        await WaitForPeerAsync(asker, "bob");

        var ack = await asker.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "inbox <b>&</b> \"quotes\"?", AskId = "a-in-1", ThreadId = "t-7" });
        Assert.Equal(DeliveryPaths.Inbox, ack.Delivery);

        // What Claude Code receives: the child token, then one user message from the ask's own answer address.
        var written = await session.NextConnectionAsync();
        Assert.Equal("auth", (string?)written[0]["type"]);
        Assert.Equal("0123456789abcdef0123456789abcdef", (string?)written[0]["token"]);
        var line = written[1];
        Assert.Equal("user", (string?)line["type"]);
        var from = (string?)line["from"];
        Assert.True(InboxAddress.TryParse(from, out var answerSocket), from);
        Assert.Equal(Path.GetDirectoryName(session.SocketPath), Path.GetDirectoryName(answerSocket));
        Assert.True(InboxAddress.IsWellKnownFileName(Path.GetFileName(answerSocket)), answerSocket);
        var envelope = InboxEnvelope.TryParse((string?)line["message"]!["content"]);
        Assert.NotNull(envelope);
        Assert.Equal(from, envelope.From);
        Assert.Equal("asker", envelope.FromName);
        Assert.Equal(InboxSenderMode.Prompting, envelope.FromMode);
        Assert.StartsWith("relay ask from asker · ask_id=a-in-1 · thread_id=t-7\n\ninbox <b>&</b> \"quotes\"?\n\n", envelope.Body, StringComparison.Ordinal);
        Assert.Contains("relay_reply(ask_id=\"a-in-1\"", envelope.Body, StringComparison.Ordinal);
        Assert.Equal(["a-in-1"], RelayInboxText.AskIdsIn(envelope.Body));
        Assert.False(bob.HasPendingNotification);

        // Claude Code sends no receipt for a message it accepts: the inbox taking the line is the delivery. Its other
        // receipts, written to the ask's address, become ask states at the asker.
        Assert.Equal(AskStates.Delivered, (await asker.NextAsync<AskStatusMessage>()).Status);
        await FakeInbox.WriteAsync(answerSocket, Receipt("held", (string?)line["msg_id"]));
        var held = await asker.NextAsync<AskStatusMessage>();
        Assert.Equal((AskStates.Held, "bob", DeliveryPaths.Inbox), (held.Status, held.To, held.Delivery));

        // The model answers with its native SendMessage to that address: the asker gets it as bob's reply.
        await FakeInbox.WriteAsync(answerSocket, new JsonObject
        {
            ["msgV"] = 1,
            ["msg_id"] = Guid.NewGuid().ToString(),
            ["type"] = "user",
            ["message"] = new JsonObject
            {
                ["role"] = "user",
                ["content"] = $"<cross-session-message from=\"uds:{session.SocketPath}\" from-name=\"bob\" from-mode=\"prompting\">\nyes, & it's <fine>\n</cross-session-message>",
            },
            ["priority"] = "next",
            ["from"] = "uds:" + session.SocketPath,
        });
        var reply = await asker.NextAsync<IncomingReplyMessage>();
        Assert.Equal(("a-in-1", "bob", "yes, & it's <fine>", "t-7"), (reply.AskId, reply.From, reply.Text, reply.ThreadId));

        // Answered: the ask's address is gone.
        await Poll.ForAsync(() => Task.FromResult(File.Exists(answerSocket)), exists => !exists, TimeSpan.FromSeconds(5), "the answer socket to be removed");
    }

    [Fact]
    public async Task A_refusal_receipt_ends_the_ask_with_refused_and_an_unwritable_inbox_falls_back_to_relay_inbox()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var session = FakeInbox.Start(sandbox.Root);
        await using var bob = await StartWithInboxAsync(sandbox, session);
        await using var asker = await RawHubClient.RegisterAsync(sandbox.SocketPath, "asker");
        await WaitForPeerAsync(asker, "bob");

        await asker.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "refuse me", AskId = "a-ref" });
        var written = await session.NextConnectionAsync();
        Assert.True(InboxAddress.TryParse((string?)written[^1]["from"], out var answerSocket));
        Assert.Equal(AskStates.Delivered, (await asker.NextAsync<AskStatusMessage>()).Status);
        // What 2.1.332 writes for crossSessionInbound "refuse": expired, with the detail "refused".
        await FakeInbox.WriteAsync(answerSocket, Receipt("expired", (string?)written[^1]["msg_id"], "refused"));
        var refused = await asker.NextErrAsync("refused");
        Assert.Equal(("a-ref", "bob"), (refused.AskId, refused.To));
        Assert.Contains("refuses messages from other sessions", refused.Message, StringComparison.Ordinal);

        // The session's inbox goes away: the next ask waits for relay_inbox instead of being lost.
        await session.DisposeAsync();
        await asker.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "still there?", AskId = "a-fallback" });
        var pulled = await Poll.ForAsync(
            () => bob.CallAsync("relay_inbox"),
            r => r.Ok && r.Json.GetProperty("messages").GetArrayLength() == 1,
            TimeSpan.FromSeconds(10),
            "the ask to wait in relay_inbox");
        Assert.Equal(DeliveryPaths.Inbox, pulled.Str("delivery"));
        Assert.Equal("a-fallback", pulled.Json.GetProperty("messages")[0].GetProperty("ask_id").GetString());
    }

    [Fact]
    public async Task A_dropped_receipt_ends_a_terminal_ask_with_dropped_and_its_reason_exit_14()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var session = FakeInbox.Start(sandbox.Root);
        await using var bob = await StartWithInboxAsync(sandbox, session);
        await using var watcher = await RawHubClient.RegisterAsync(sandbox.SocketPath, "watcher");
        await WaitForPeerAsync(watcher, "bob");

        var run = sandbox.RunAsync(["ask", "bob", "are you rate limited?", "--timeout", "60s"]);
        var written = await session.NextConnectionAsync();
        Assert.True(InboxAddress.TryParse((string?)written[^1]["from"], out var answerSocket));
        var dropped = Receipt("dropped", (string?)written[^1]["msg_id"]);
        dropped["drop_reason"] = "rate-limited";
        await FakeInbox.WriteAsync(answerSocket, dropped);
        var result = await run;

        Assert.True(result.ExitCode == 14, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("relay: sent to bob (native inbox)", lines[0]);
        Assert.Equal("relay: dropped: bob's Claude Code dropped the ask (rate-limited)", lines[^1]);
    }

    [Fact]
    public async Task A_question_too_large_once_encoded_is_refused_with_bad_args_and_the_connection_survives()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"));
        await using var bob = await RawHubClient.RegisterAsync(sandbox.SocketPath, "bob");
        await Poll.ForAsync(() => alice.CallAsync("relay_peers"), r => r.Ok && r.Json.GetProperty("peers").GetArrayLength() == 1, TimeSpan.FromSeconds(10), "alice to see bob");

        // 400 KiB of control characters: within the 512 KiB text limit, but 2.4 MB once JSON-escaped.
        var tooLarge = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = new string('\u0001', 400 * 1024) });
        Assert.Equal("bad_args", tooLarge.Code);
        Assert.Contains("once JSON", tooLarge.Str("message"), StringComparison.Ordinal);

        var fine = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "still connected?" });
        Assert.True(fine.Ok, fine.Text);
        Assert.Equal("still connected?", (await bob.NextAsync<IncomingAskMessage>()).Question);
    }

    [Fact]
    public async Task A_broadcast_ends_with_one_summary_naming_who_answered_and_who_did_not()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"), new Dictionary<string, string?> { ["RELAY_ASK_TIMEOUT_MS"] = "1500" });
        await using var talker = await RawHubClient.RegisterAsync(sandbox.SocketPath, "talker");
        await using var silent = await RawHubClient.RegisterAsync(sandbox.SocketPath, "silent");
        await Poll.ForAsync(() => alice.CallAsync("relay_peers"), r => r.Ok && r.Json.GetProperty("peers").GetArrayLength() == 2, TimeSpan.FromSeconds(10), "alice to see both peers");

        var sent = await alice.CallAsync("relay_broadcast", new() { ["question"] = "status?" });
        Assert.True(sent.Ok, sent.Text);
        var broadcastId = sent.Str("broadcast_id")!;
        var ask = await talker.NextAsync<IncomingAskMessage>();
        await talker.RequestAsync<AckMessage>(new ReplyMessage { AskId = ask.AskId, Text = "green" });
        await silent.NextAsync<IncomingAskMessage>();

        var seen = new List<ChannelMessage>();
        while (seen.All(m => m.Type != "broadcast_summary"))
        {
            seen.Add(await alice.NextNotificationAsync(TimeSpan.FromSeconds(15)));
        }

        Assert.Equal(["reply", "error", "broadcast_summary"], seen.Select(m => m.Type));
        var summary = seen[^1];
        Assert.Equal(broadcastId, summary.Get("broadcast_id"));
        Assert.Contains("Answered: talker.", summary.Content, StringComparison.Ordinal);
        Assert.Contains("No answer: silent (timeout).", summary.Content, StringComparison.Ordinal);
        Assert.False(alice.HasPendingNotification);
    }

    private static JsonObject Receipt(string status, string? origMsgId, string? detail = null) => new()
    {
        ["type"] = "control",
        ["action"] = "peer_message_status",
        ["status"] = status,
        ["orig_msg_id"] = origMsgId,
        ["status_detail"] = detail,
    };

    /// <summary>bob's channel in a session whose native inbox is <paramref name="session"/> (no channel flag).</summary>
    private static Task<ChannelClient> StartWithInboxAsync(RelaySandbox sandbox, FakeInbox session) =>
        ChannelClient.StartAsync(sandbox, sandbox.WorkDir("bob"), new Dictionary<string, string?>
        {
            ["RELAY_DELIVERY"] = null,
            [InboxEnvironment.Socket] = session.SocketPath,
        });

    private static async Task WaitForPeerAsync(RawHubClient client, string name) =>
        await Poll.ForAsync(
            async () => (await client.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers,
            peers => peers.Any(p => p.Name == name),
            TimeSpan.FromSeconds(15),
            $"{name} to register");

    /// <summary>A stand-in for a session's inbox socket: records every connection's lines.</summary>
    private sealed class FakeInbox : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly System.Threading.Channels.Channel<List<JsonObject>> _connections = System.Threading.Channels.Channel.CreateUnbounded<List<JsonObject>>();
        private readonly Task _accept;

        private FakeInbox(string socketPath)
        {
            SocketPath = socketPath;
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            _listener.Listen(16);
            _accept = AcceptAsync();
        }

        public string SocketPath { get; }

        public static FakeInbox Start(string root)
        {
            var dir = Path.Combine(root, "cc-socks");
            Directory.CreateDirectory(dir);
            return new FakeInbox(Path.Combine(dir, Environment.ProcessId + ".sock"));
        }

        public async Task<List<JsonObject>> NextConnectionAsync() =>
            await _connections.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        public static async Task WriteAsync(string socketPath, JsonObject line)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            await socket.SendAsync(Encoding.UTF8.GetBytes(line.ToJsonString() + "\n"));
            socket.Shutdown(SocketShutdown.Send);
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                using (client)
                {
                    using var stream = new NetworkStream(client);
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    var lines = new List<JsonObject>();
                    while (await reader.ReadLineAsync() is { } text)
                    {
                        lines.Add(JsonNode.Parse(text)!.AsObject());
                    }

                    await _connections.Writer.WriteAsync(lines);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _accept;
            File.Delete(SocketPath);
        }
    }
}
