using System.Text.Json;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

public sealed class ChannelToolTests
{
    [Fact]
    public async Task Relay_peers_lists_the_other_peers_with_cwd_and_git_branch_but_not_itself()
    {
        await using var sandbox = new RelaySandbox();
        var bobDir = sandbox.WorkDir("bob");
        Directory.CreateDirectory(Path.Combine(bobDir, ".git"));
        File.WriteAllText(Path.Combine(bobDir, ".git", "HEAD"), "ref: refs/heads/feature/login\n");
        // A linked worktree: .git is a file pointing at the real git dir.
        var carolDir = sandbox.WorkDir("carol");
        var gitDir = Path.Combine(sandbox.Root, "gitdirs", "carol");
        Directory.CreateDirectory(gitDir);
        File.WriteAllText(Path.Combine(gitDir, "HEAD"), "ref: refs/heads/release-2\n");
        File.WriteAllText(Path.Combine(carolDir, ".git"), "gitdir: ../../gitdirs/carol\n");
        var nested = Path.Combine(bobDir, "src", "deep");
        Directory.CreateDirectory(nested);

        await using var group = await ChannelGroup.StartAsync(sandbox, [sandbox.WorkDir("alice"), bobDir, carolDir]);
        var peers = await Poll.ForAsync(
            () => group[0].CallAsync("relay_peers"),
            r => r.Ok && r.Json.GetProperty("peers").GetArrayLength() == 2,
            TimeSpan.FromSeconds(10),
            "alice to see bob and carol");

        Assert.Equal("alice", peers.Str("me"));
        var list = peers.Json.GetProperty("peers").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["bob", "carol"], list.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(bobDir, list["bob"].GetProperty("cwd").GetString());
        Assert.Equal("feature/login", list["bob"].GetProperty("git_branch").GetString());
        Assert.Equal("release-2", list["carol"].GetProperty("git_branch").GetString());
        Assert.Equal("claude", list["bob"].GetProperty("kind").GetString());
        Assert.True(DateTimeOffset.TryParse(list["bob"].GetProperty("last_seen").GetString(), out _));

        var alicePeers = (await group[1].CallAsync("relay_peers")).Json.GetProperty("peers");
        Assert.Equal(JsonValueKind.Null, alicePeers.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "alice").GetProperty("git_branch").ValueKind);
    }

    [Fact]
    public async Task An_ask_reaches_the_peer_and_its_reply_comes_back_with_the_same_ask_id_and_thread()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "bob");
        var (alice, bob) = group;

        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "which branch are you on?" });
        Assert.True(ask.Ok, ask.Text);
        var askId = ask.Str("ask_id")!;
        var threadId = ask.Str("thread_id")!;
        Assert.False(string.IsNullOrEmpty(askId));
        Assert.False(string.IsNullOrEmpty(threadId));

        var incoming = await bob.NextNotificationAsync();
        Assert.Equal("ask", incoming.Type);
        Assert.Equal("alice", incoming.Get("from"));
        Assert.Equal(askId, incoming.Get("ask_id"));
        Assert.Equal(threadId, incoming.Get("thread_id"));
        Assert.Equal("which branch are you on?", incoming.Content);

        var reply = await bob.CallAsync("relay_reply", new() { ["ask_id"] = askId, ["text"] = "main, clean" });
        Assert.True(reply.Ok, reply.Text);
        Assert.Equal(askId, reply.Str("ask_id"));

        var answer = await alice.NextNotificationAsync();
        Assert.Equal("reply", answer.Type);
        Assert.Equal("bob", answer.Get("from"));
        Assert.Equal(askId, answer.Get("ask_id"));
        Assert.Equal(threadId, answer.Get("thread_id"));
        Assert.Equal("main, clean", answer.Content);

        // A follow-up in the same thread keeps the thread id.
        var followUp = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "and tests?", ["thread_id"] = threadId });
        Assert.True(followUp.Ok, followUp.Text);
        Assert.Equal(threadId, followUp.Str("thread_id"));
        Assert.Equal(threadId, (await bob.NextNotificationAsync()).Get("thread_id"));
    }

    [Fact]
    public async Task A_broadcast_reaches_every_other_peer_and_each_reply_carries_the_broadcast_id()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "bob", "carol");
        var alice = group[0];

        var broadcast = await alice.CallAsync("relay_broadcast", new() { ["question"] = "status?" });
        Assert.True(broadcast.Ok, broadcast.Text);
        Assert.Equal(2, broadcast.Json.GetProperty("peer_count").GetInt32());
        var broadcastId = broadcast.Str("broadcast_id")!;

        foreach (var (peer, name) in new[] { (group[1], "bob"), (group[2], "carol") })
        {
            var incoming = await peer.NextNotificationAsync();
            Assert.Equal("ask", incoming.Type);
            Assert.Equal(broadcastId, incoming.Get("broadcast_id"));
            Assert.Equal("status?", incoming.Content);
            var reply = await peer.CallAsync("relay_reply", new() { ["ask_id"] = incoming.Get("ask_id"), ["text"] = name + " is fine" });
            Assert.True(reply.Ok, reply.Text);
        }

        var replies = new[] { await alice.NextNotificationAsync(), await alice.NextNotificationAsync() };
        Assert.All(replies, r => Assert.Equal("reply", r.Type));
        Assert.All(replies, r => Assert.Equal(broadcastId, r.Get("broadcast_id")));
        Assert.Equal(["bob is fine", "carol is fine"], replies.Select(r => r.Content).Order(StringComparer.Ordinal));
        Assert.Equal(["bob", "carol"], replies.Select(r => r.Get("from")!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rename_changes_the_name_others_see_and_refuses_taken_or_invalid_names()
    {
        await using var sandbox = new RelaySandbox();
        await using var group = await ChannelGroup.StartNamedAsync(sandbox, "alice", "bob");
        var (alice, bob) = group;

        var renamed = await alice.CallAsync("relay_rename", new() { ["new_name"] = "backend-api" });
        Assert.True(renamed.Ok, renamed.Text);
        Assert.Equal("backend-api", renamed.Str("name"));
        Assert.Equal("backend-api", await alice.NameAsync());
        var seen = await bob.CallAsync("relay_peers");
        Assert.Equal("backend-api", seen.Json.GetProperty("peers")[0].GetProperty("name").GetString());

        var taken = await alice.CallAsync("relay_rename", new() { ["new_name"] = "bob" });
        Assert.True(taken.IsError);
        Assert.Equal("name_taken", taken.Code);
        Assert.Equal("backend-api", await alice.NameAsync());

        var invalid = await alice.CallAsync("relay_rename", new() { ["new_name"] = "Backend API!" });
        Assert.True(invalid.IsError);
        Assert.Equal("bad_args", invalid.Code);

        // Asks follow the new name.
        var ask = await bob.CallAsync("relay_ask", new() { ["to"] = "backend-api", ["question"] = "there?" });
        Assert.True(ask.Ok, ask.Text);
        Assert.Equal("bob", (await alice.NextNotificationAsync()).Get("from"));
    }

    [Fact]
    public async Task Asking_an_unknown_peer_fails_at_once_with_peer_not_found()
    {
        await using var sandbox = new RelaySandbox();
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"));

        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "nobody", ["question"] = "hello?" });
        Assert.True(ask.IsError);
        Assert.Equal("peer_not_found", ask.Code);
        Assert.False(string.IsNullOrEmpty(ask.Str("message")));

        var self = await alice.CallAsync("relay_ask", new() { ["to"] = "alice", ["question"] = "me?" });
        Assert.Equal("bad_args", self.Code);
    }

    [Fact]
    public async Task Replying_to_an_unknown_ask_fails_with_unknown_ask()
    {
        await using var sandbox = new RelaySandbox();
        await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"));

        var reply = await alice.CallAsync("relay_reply", new() { ["ask_id"] = "a-doesnotexist", ["text"] = "hi" });
        Assert.True(reply.IsError);
        Assert.Equal("unknown_ask", reply.Code);
    }
}
