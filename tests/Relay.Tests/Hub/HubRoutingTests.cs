using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary>Register, list, ask, reply, broadcast and rename on the wire.</summary>
public sealed class HubRoutingTests
{
    [Fact]
    public async Task Register_is_acked_with_the_name_protocol_version_and_hub_pid()
    {
        await using var world = await HubWorld.StartAsync();
        var client = await world.ConnectAsync();

        var ack = await client.RequestAsync<AckMessage>(new RegisterMessage { Name = "alice", ProtocolVersion = ProtocolVersion.Current });

        Assert.Equal("alice", ack.Name);
        Assert.Equal(ProtocolVersion.Current, ack.ProtocolVersion);
        Assert.Equal(world.Hub.Pid, ack.HubPid);
    }

    [Fact]
    public async Task List_peers_shows_every_peer_with_cwd_branch_kind_pid_and_times()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob", kind: "claude");

        var peers = (await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers;

        Assert.Equal(["alice", "bob"], peers.Select(p => p.Name));
        var b = peers[1];
        Assert.Equal("/tmp/bob", b.Cwd);
        Assert.Equal("main", b.GitBranch);
        Assert.Equal("claude", b.Kind);
        Assert.Equal(Environment.ProcessId, b.Pid);
        Assert.True(b.LastSeen >= b.ConnectedAt);
        Assert.True(DateTimeOffset.UtcNow - b.ConnectedAt < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Last_seen_moves_forward_when_a_peer_sends_a_message()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        var before = (await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers.Single(p => p.Name == "bob").LastSeen;

        await Task.Delay(20);
        await bob.RequestAsync<PeersMessage>(new ListPeersMessage());
        var after = (await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers.Single(p => p.Name == "bob").LastSeen;

        Assert.True(after > before, $"{after:o} should be after {before:o}");
    }

    [Fact]
    public async Task An_ask_reaches_its_target_and_the_reply_comes_back_on_the_same_thread()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");

        var ack = await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "did the token shape change? ✓ <ok>", AskId = "a-1" });
        Assert.Equal("a-1", ack.AskId);
        Assert.StartsWith("t-", ack.ThreadId);

        var incoming = await bob.NextAsync<IncomingAskMessage>();
        Assert.Equal(("a-1", "alice", "did the token shape change? ✓ <ok>", ack.ThreadId), (incoming.AskId, incoming.From, incoming.Question, incoming.ThreadId));
        Assert.Null(incoming.BroadcastId);

        var replyAck = await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "yes: exp is in seconds now" });
        Assert.Equal("a-1", replyAck.AskId);

        var reply = await alice.NextAsync<IncomingReplyMessage>();
        Assert.Equal(("a-1", "bob", "yes: exp is in seconds now", ack.ThreadId), (reply.AskId, reply.From, reply.Text, reply.ThreadId));
        Assert.Null(reply.BroadcastId);
    }

    [Fact]
    public async Task An_ask_keeps_the_thread_id_the_asker_gave()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");

        var ack = await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "follow-up", AskId = "a-2", ThreadId = "t-mine" });

        Assert.Equal("t-mine", ack.ThreadId);
        Assert.Equal("t-mine", (await bob.NextAsync<IncomingAskMessage>()).ThreadId);
    }

    [Fact]
    public async Task A_second_reply_to_the_same_ask_errs_unknown_ask()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1" });
        await bob.NextAsync<IncomingAskMessage>();
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "first" });

        var err = await bob.RequestErrAsync(new ReplyMessage { AskId = "a-1", Text = "second" }, ErrorCodes.UnknownAsk);

        Assert.Equal("a-1", err.AskId);
        await alice.NextAsync<IncomingReplyMessage>();
        await alice.ExpectNoMessageAsync();
    }

    [Fact]
    public async Task A_reply_on_behalf_of_the_target_answers_the_targets_ask()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var listener = await world.PeerAsync("listener");
        var oneShot = await world.PeerAsync("one-shot");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "listener", Question = "q", AskId = "a-1" });
        await listener.NextAsync<IncomingAskMessage>();

        await oneShot.RequestErrAsync(new ReplyMessage { AskId = "a-1", Text = "not mine", OnBehalfOf = "alice" }, ErrorCodes.UnknownAsk);
        await oneShot.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "answered from a terminal", OnBehalfOf = "listener" });

        var reply = await alice.NextAsync<IncomingReplyMessage>();
        Assert.Equal(("listener", "answered from a terminal"), (reply.From, reply.Text));
    }

    [Fact]
    public async Task Broadcast_fans_out_to_every_other_peer_tagged_with_the_broadcast_id_and_replies_stream_back()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var others = new[] { await world.PeerAsync("carol"), await world.PeerAsync("bob"), await world.PeerAsync("dave") };
        var observer = await world.ConnectAsync();
        await observer.RequestAsync<AckMessage>(new WatchMessage { ProtocolVersion = ProtocolVersion.Current });

        var ack = await alice.RequestAsync<BroadcastAckMessage>(new BroadcastMessage { Question = "status?" });

        Assert.Equal(3, ack.PeerCount);
        Assert.Equal(["bob", "carol", "dave"], ack.Targets!);
        Assert.StartsWith("b-", ack.BroadcastId);
        var asks = new List<IncomingAskMessage>();
        foreach (var peer in others)
        {
            var ask = await peer.NextAsync<IncomingAskMessage>();
            Assert.Equal(("alice", "status?", ack.BroadcastId), (ask.From, ask.Question, ask.BroadcastId));
            asks.Add(ask);
        }

        Assert.Equal(3, asks.Select(a => a.AskId).Distinct().Count());
        Assert.Single(asks.Select(a => a.ThreadId).Distinct());

        // Replies stream back one by one, in the order they are sent.
        for (var i = 0; i < others.Length; i++)
        {
            await others[i].RequestAsync<AckMessage>(new ReplyMessage { AskId = asks[i].AskId, Text = "busy " + i });
            var reply = await alice.NextAsync<IncomingReplyMessage>();
            Assert.Equal((others[i].Name, "busy " + i, ack.BroadcastId, asks[i].AskId), (reply.From, reply.Text, reply.BroadcastId, reply.AskId));
        }

        await alice.ExpectNoMessageAsync();
        // The observer is no target: it sees the broadcast and each reply as events, and never an incoming_ask.
        var seen = new List<string>();
        for (var i = 0; i < 1 + others.Length; i++)
        {
            seen.Add((await observer.NextAsync<HubEventMessage>()).Event);
        }

        Assert.Equal([HubEvents.Broadcast, HubEvents.Reply, HubEvents.Reply, HubEvents.Reply], seen);
        await observer.ExpectNoMessageAsync();
    }

    [Fact]
    public async Task Broadcast_with_no_other_peer_reports_zero()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        var ack = await alice.RequestAsync<BroadcastAckMessage>(new BroadcastMessage { Question = "anyone?" });

        Assert.Equal(0, ack.PeerCount);
        Assert.Empty(ack.Targets!);
        await alice.ExpectNoMessageAsync();
    }

    [Fact]
    public async Task A_broadcast_ask_that_times_out_errs_with_the_broadcast_id()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");

        var ack = await alice.RequestAsync<BroadcastAckMessage>(new BroadcastMessage { Question = "q", TimeoutMs = 100 });
        var ask = await bob.NextAsync<IncomingAskMessage>();

        var err = await alice.NextErrAsync(ErrorCodes.Timeout);
        Assert.Equal((ask.AskId, "bob", ack.BroadcastId), (err.AskId, err.To, err.BroadcastId));
    }

    [Fact]
    public async Task Rename_is_acked_and_list_peers_shows_the_new_name()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        var ack = await alice.RequestAsync<AckMessage>(new RenameMessage { Name = "backend-api" });

        Assert.Equal("backend-api", ack.Name);
        var peers = (await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers;
        Assert.Equal(["backend-api"], peers.Select(p => p.Name));
        var bob = await world.PeerAsync("alice");
        Assert.Equal("alice", bob.Name);
    }

    [Fact]
    public async Task Renaming_to_the_current_name_is_acked()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        Assert.Equal("alice", (await alice.RequestAsync<AckMessage>(new RenameMessage { Name = "alice" })).Name);
    }

    [Fact]
    public async Task A_pending_ask_follows_its_target_through_a_rename()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1" });
        await bob.NextAsync<IncomingAskMessage>();

        await bob.RequestAsync<AckMessage>(new RenameMessage { Name = "robert" });
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "after the rename" });

        var reply = await alice.NextAsync<IncomingReplyMessage>();
        Assert.Equal(("robert", "after the rename"), (reply.From, reply.Text));
    }

    [Fact]
    public async Task A_pending_ask_follows_its_asker_through_a_rename()
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");
        var bob = await world.PeerAsync("bob");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob", Question = "q", AskId = "a-1" });
        await bob.NextAsync<IncomingAskMessage>();

        await alice.RequestAsync<AckMessage>(new RenameMessage { Name = "alicia" });
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = "a-1", Text = "still reaches you" });

        Assert.Equal("still reaches you", (await alice.NextAsync<IncomingReplyMessage>()).Text);
    }

    [Fact]
    public async Task Two_peers_renaming_to_the_same_name_at_once_one_wins_and_the_other_gets_name_taken()
    {
        await using var world = await HubWorld.StartAsync();
        for (var round = 0; round < 5; round++)
        {
            var a = await world.PeerAsync("a" + round);
            var b = await world.PeerAsync("b" + round);
            var target = "winner" + round;

            var answers = await Task.WhenAll(
                a.RequestAsync<ServerMessage>(new RenameMessage { Name = target }),
                b.RequestAsync<ServerMessage>(new RenameMessage { Name = target }));

            Assert.Single(answers.OfType<AckMessage>());
            Assert.Equal(ErrorCodes.NameTaken, Assert.Single(answers.OfType<ErrMessage>()).Code);
            var peers = (await a.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers.Select(p => p.Name).ToList();
            Assert.Single(peers, n => n == target);
        }
    }

    [Fact]
    public async Task Many_connections_registering_one_name_at_once_exactly_one_wins()
    {
        await using var world = await HubWorld.StartAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => world.ConnectAsync()));

        var answers = await Task.WhenAll(clients.Select(c => c.RequestAsync<ServerMessage>(new RegisterMessage { Name = "same", ProtocolVersion = ProtocolVersion.Current })));

        Assert.Single(answers.OfType<AckMessage>());
        Assert.All(answers.OfType<ErrMessage>(), e => Assert.Equal(ErrorCodes.NameTaken, e.Code));
        Assert.Equal(11, answers.OfType<ErrMessage>().Count());
    }

    [Fact]
    public async Task A_name_is_free_again_once_its_peer_leaves()
    {
        await using var world = await HubWorld.StartAsync();
        var first = await world.PeerAsync("alice");
        var watcher = await world.PeerAsync("watcher");
        first.Close();
        await first.WaitClosedAsync();

        // Poll: the hub notices the close on its own receive loop.
        await watcher.WaitForPeerAsync("alice", listed: false);

        var second = await world.PeerAsync("alice");
        Assert.Equal("alice", second.Name);
    }
}
