using System.Text;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary>Every error code the hub produces, as it appears on the wire.</summary>
public sealed class HubErrorTests
{
    [Fact]
    public async Task Registering_a_taken_name_errs_name_taken()
    {
        await using var world = await HubWorld.StartAsync();
        await world.PeerAsync("alice");
        var second = await world.ConnectAsync();

        var err = await second.RequestErrAsync(new RegisterMessage { Name = "alice", ProtocolVersion = ProtocolVersion.Current }, ErrorCodes.NameTaken);

        Assert.Contains("alice", err.Message, StringComparison.Ordinal);
        // The connection may try another name.
        Assert.Equal("alice-2", (await second.RequestAsync<AckMessage>(new RegisterMessage { Name = "alice-2", ProtocolVersion = ProtocolVersion.Current })).Name);
    }

    [Fact]
    public async Task Renaming_to_a_taken_name_errs_name_taken_and_keeps_the_old_name()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        await world.PeerAsync("bob");

        await alice.RequestErrAsync(new RenameMessage { Name = "bob" }, ErrorCodes.NameTaken);

        var peers = (await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers;
        Assert.Equal(["alice", "bob"], peers.Select(p => p.Name));
    }

    [Fact]
    public async Task Requests_before_register_err_not_registered_but_hub_status_is_answered()
    {
        await using var world = await HubWorld.StartAsync();
        await world.PeerAsync("bob");
        var client = await world.ConnectAsync();

        await client.RequestErrAsync(new ListPeersMessage(), ErrorCodes.NotRegistered);
        await client.RequestErrAsync(new AskMessage { To = "bob", Question = "q", AskId = "a-1" }, ErrorCodes.NotRegistered);
        await client.RequestErrAsync(new ReplyMessage { AskId = "a-1", Text = "t" }, ErrorCodes.NotRegistered);
        await client.RequestErrAsync(new BroadcastMessage { Question = "q" }, ErrorCodes.NotRegistered);
        await client.RequestErrAsync(new RenameMessage { Name = "x" }, ErrorCodes.NotRegistered);
        var status = await client.RequestAsync<HubStatusReplyMessage>(new HubStatusMessage());

        Assert.Equal(1, status.PeerCount);
    }

    [Fact]
    public async Task A_second_register_on_one_connection_errs_already_registered()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        await alice.RequestErrAsync(new RegisterMessage { Name = "other", ProtocolVersion = ProtocolVersion.Current }, ErrorCodes.AlreadyRegistered);

        var peers = (await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers;
        Assert.Equal(["alice"], peers.Select(p => p.Name));
    }

    [Fact]
    public async Task Register_with_another_protocol_version_errs_protocol_mismatch()
    {
        await using var world = await HubWorld.StartAsync();
        var client = await world.ConnectAsync();

        var err = await client.RequestErrAsync(new RegisterMessage { Name = "alice", ProtocolVersion = ProtocolVersion.Current + 1 }, ErrorCodes.ProtocolMismatch);

        Assert.Contains(ProtocolVersion.Current.ToString(System.Globalization.CultureInfo.InvariantCulture), err.Message, StringComparison.Ordinal);
        await client.RequestErrAsync(new WatchMessage { ProtocolVersion = 0 }, ErrorCodes.ProtocolMismatch);
        await client.RequestErrAsync(new ListPeersMessage(), ErrorCodes.NotRegistered);
    }

    [Fact]
    public async Task Register_or_rename_with_an_invalid_name_errs_bad_msg()
    {
        await using var world = await HubWorld.StartAsync();
        var client = await world.ConnectAsync();
        string[] invalid = ["", "has space", "slash/name", "ünïcode", new string('a', 65), "new\nline"];

        foreach (var name in invalid)
        {
            await client.RequestErrAsync(new RegisterMessage { Name = name, ProtocolVersion = ProtocolVersion.Current }, ErrorCodes.BadMsg);
        }

        await client.RequestAsync<AckMessage>(new RegisterMessage { Name = "valid.name_1-x", ProtocolVersion = ProtocolVersion.Current });
        foreach (var name in invalid)
        {
            await client.RequestErrAsync(new RenameMessage { Name = name }, ErrorCodes.BadMsg);
        }

        Assert.Equal(new string('b', 64), (await client.RequestAsync<AckMessage>(new RenameMessage { Name = new string('b', 64) })).Name);
    }

    [Fact]
    public async Task An_ask_to_an_unknown_peer_errs_peer_not_found_with_the_ask_id()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        var err = await alice.RequestErrAsync(new AskMessage { To = "nobody", Question = "q", AskId = "a-1" }, ErrorCodes.PeerNotFound);

        Assert.Equal(("a-1", "nobody"), (err.AskId, err.To));
    }

    [Fact]
    public async Task A_reply_from_a_peer_that_was_not_asked_errs_unknown_ask()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        var mallory = await world.PeerAsync("mallory");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1" });
        await bob.NextAsync<IncomingAskMessage>();

        var err = await mallory.RequestErrAsync(new ReplyMessage { AskId = "a-1", Text = "spoofed" }, ErrorCodes.UnknownAsk);
        await alice.RequestErrAsync(new ReplyMessage { AskId = "a-1", Text = "own ask" }, ErrorCodes.UnknownAsk);
        await mallory.RequestErrAsync(new ReplyMessage { AskId = "never-sent", Text = "x" }, ErrorCodes.UnknownAsk);

        Assert.Equal("a-1", err.AskId);
        await alice.ExpectNoMessageAsync();
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "real" });
        Assert.Equal("real", (await alice.NextAsync<IncomingReplyMessage>()).Text);
    }

    [Fact]
    public async Task An_ask_times_out_with_timeout_to_the_asker_and_a_late_reply_errs_unknown_ask()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");

        var ack = await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1", TimeoutMs = 150 });
        await bob.NextAsync<IncomingAskMessage>();
        var err = await alice.NextErrAsync(ErrorCodes.Timeout);

        Assert.Null(err.ReqId);
        Assert.Equal(("a-1", "bob", ack.ThreadId), (err.AskId, err.To, err.ThreadId));
        await bob.RequestErrAsync(new ReplyMessage { AskId = "a-1", Text = "too late" }, ErrorCodes.UnknownAsk);
        await alice.ExpectNoMessageAsync();
    }

    [Fact]
    public async Task A_target_that_disconnects_sends_peer_gone_to_every_asker_waiting_on_it()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var carol = await world.PeerAsync("carol");
        var bob = await world.PeerAsync("bob");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q1", AskId = "a-1" });
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q2", AskId = "a-2" });
        await carol.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q3", AskId = "c-1" });

        bob.Close();

        var gone = new[] { await alice.NextErrAsync(ErrorCodes.PeerGone), await alice.NextErrAsync(ErrorCodes.PeerGone) };
        Assert.Equal(["a-1", "a-2"], gone.Select(e => e.AskId!).Order());
        Assert.All(gone, e => Assert.Equal("bob", e.To));
        Assert.Equal("c-1", (await carol.NextErrAsync(ErrorCodes.PeerGone)).AskId);
        await alice.ExpectNoMessageAsync();
        await alice.RequestErrAsync(new AskMessage { To = "bob", Question = "q", AskId = "a-3" }, ErrorCodes.PeerNotFound);
    }

    [Fact]
    public async Task Asks_from_a_peer_that_leaves_are_dropped()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1" });
        await bob.NextAsync<IncomingAskMessage>();

        alice.Close();
        await alice.WaitClosedAsync();
        await Poll.UntilAsync(
            async () => (await bob.RequestAsync<HubStatusReplyMessage>(new HubStatusMessage())).PendingAsks == 0,
            "the ask of the departed asker to end");

        await bob.RequestErrAsync(new ReplyMessage { AskId = "a-1", Text = "nobody listens" }, ErrorCodes.UnknownAsk);
    }

    [Fact]
    public async Task A_question_over_512_KiB_errs_bad_msg_and_is_not_delivered()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        // 200 000 three-byte characters: under the limit in characters, over it in UTF-8 bytes.
        var question = new string('€', 200_000);
        Assert.True(Encoding.UTF8.GetByteCount(question) > Limits.MaxTextBytes);

        var err = await alice.RequestErrAsync(new AskMessage { To = "bob", Question = question, AskId = "a-1" }, ErrorCodes.BadMsg);
        await alice.RequestErrAsync(new BroadcastMessage { Question = question }, ErrorCodes.BadMsg);

        Assert.DoesNotContain("€", err.Message, StringComparison.Ordinal);
        await bob.ExpectNoMessageAsync();
        var atLimit = new string('x', Limits.MaxTextBytes);
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = atLimit, AskId = "a-2" });
        Assert.Equal(Limits.MaxTextBytes, (await bob.NextAsync<IncomingAskMessage>()).Question.Length);
    }

    [Fact]
    public async Task A_reply_over_512_KiB_errs_bad_msg_and_the_ask_stays_pending()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1" });
        await bob.NextAsync<IncomingAskMessage>();

        await bob.RequestErrAsync(new ReplyMessage { AskId = "a-1", Text = new string('y', Limits.MaxTextBytes + 1) }, ErrorCodes.BadMsg);
        await alice.ExpectNoMessageAsync();
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "short" });

        Assert.Equal("short", (await alice.NextAsync<IncomingReplyMessage>()).Text);
    }

    [Fact]
    public async Task Ids_over_128_characters_and_non_positive_timeouts_err_bad_msg()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        var longId = new string('i', Limits.MaxIdLength + 1);

        await alice.RequestErrAsync(new AskMessage { To = "bob", Question = "q", AskId = longId }, ErrorCodes.BadMsg);
        await alice.RequestErrAsync(new AskMessage { To = "bob", Question = "q", AskId = "" }, ErrorCodes.BadMsg);
        await alice.RequestErrAsync(new AskMessage { To = "bob", Question = "q", AskId = "a-1", ThreadId = longId }, ErrorCodes.BadMsg);
        await alice.RequestErrAsync(new AskMessage { To = "bob", Question = "q", AskId = "a-1", TimeoutMs = 0 }, ErrorCodes.BadMsg);
        await alice.RequestErrAsync(new BroadcastMessage { Question = "q", TimeoutMs = -5 }, ErrorCodes.BadMsg);
        await bob.RequestErrAsync(new ReplyMessage { AskId = longId, Text = "t" }, ErrorCodes.BadMsg);
        await alice.SendLineAsync($$"""{"type":"list_peers","req_id":"{{longId}}"}""");
        var err = await alice.NextErrAsync(ErrorCodes.BadMsg);

        Assert.Null(err.ReqId);
        await bob.ExpectNoMessageAsync();
    }

    [Fact]
    public async Task A_duplicate_pending_ask_id_to_the_same_peer_errs_bad_msg()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1" });

        await alice.RequestErrAsync(new AskMessage { To = "bob", Question = "again", AskId = "a-1" }, ErrorCodes.BadMsg);

        Assert.Equal("q", (await bob.NextAsync<IncomingAskMessage>()).Question);
        await bob.ExpectNoMessageAsync();
    }
}
