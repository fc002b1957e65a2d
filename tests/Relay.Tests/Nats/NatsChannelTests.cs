using System.Text.Json;
using Relay.Tests.Channels;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Nats;

/// <summary>
/// Real <c>relay mcp</c> channels (the MCP SDK client over stdio, as Claude Code drives them) on two hosts whose hubs
/// meet on nats-server: the tools work across hosts as they do on one machine.
/// </summary>
public sealed class NatsChannelTests
{
    private static readonly TimeSpan Wait = CrossHostWorld.Wait;

    [NetLabFact]
    public async Task ChannelsOnTwoHostsListAskReplyAndBroadcastAcrossHosts()
    {
        await using var world = await CrossHostWorld.StartAsync();
        await using var hostA = await ChannelGroup.StartNamedAsync(world.A.Sandbox, "alice");
        // Host B has its own alice: names are unique per hub, not per space.
        await using var hostB = await ChannelGroup.StartNamedAsync(world.B.Sandbox, "bob", "alice");
        var alice = hostA[0];
        var (bob, otherAlice) = hostB;

        // relay_peers lists the remote peers with their host, including the one that shares this session's name.
        var listed = await Poll.ForAsync(
            () => alice.CallAsync("relay_peers"),
            r => r.Ok && Peers(r).Count(p => p.Host == "hb") == 2,
            Wait,
            "alice@ha to see bob@hb and alice@hb");
        Assert.Equal("alice", listed.Str("me"));
        Assert.Equal([("alice", "hb"), ("bob", "hb")], Peers(listed));
        var fromB = await Poll.ForAsync(() => bob.CallAsync("relay_peers"), r => r.Ok && Peers(r).Contains(("alice", "ha")), Wait, "bob@hb to see alice@ha");
        Assert.Equal([("alice", "ha"), ("alice", "hb")], Peers(fromB));

        // An ask across hosts by plain name (bob is unambiguous), its push, the reply and its push.
        var ask = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "which port does the api use?" }, Wait);
        Assert.True(ask.Ok, ask.Text);
        var incoming = await bob.NextNotificationAsync(Wait);
        Assert.Equal(("ask", "alice@ha", "which port does the api use?"), (incoming.Type, incoming.Get("from"), incoming.Content));
        var replied = await bob.CallAsync("relay_reply", new() { ["ask_id"] = incoming.Get("ask_id"), ["text"] = "8080" }, Wait);
        Assert.True(replied.Ok && replied.Str("queued") is null, replied.Text);
        var reply = await alice.NextNotificationAsync(Wait);
        Assert.Equal(("reply", "bob@hb", "8080", ask.Str("ask_id")), (reply.Type, reply.Get("from"), reply.Content, reply.Get("ask_id")));

        // name@host reaches the other alice.
        var named = await alice.CallAsync("relay_ask", new() { ["to"] = "alice@hb", ["question"] = "same name?" }, Wait);
        Assert.True(named.Ok, named.Text);
        var twin = await otherAlice.NextNotificationAsync(Wait);
        Assert.Equal(("ask", "alice@ha", "same name?"), (twin.Type, twin.Get("from"), twin.Content));
        Assert.True((await otherAlice.CallAsync("relay_reply", new() { ["ask_id"] = twin.Get("ask_id"), ["text"] = "yes" }, Wait)).Ok);
        var twinReply = await alice.NextNotificationAsync(Wait);
        Assert.Equal(("reply", "alice@hb", "yes"), (twinReply.Type, twinReply.Get("from"), twinReply.Content));

        // A broadcast from host B reaches its local alice and alice of host A; both answers and the summary come back.
        var broadcast = await bob.CallAsync("relay_broadcast", new() { ["question"] = "status?" }, Wait);
        Assert.True(broadcast.Ok, broadcast.Text);
        Assert.Equal(2, broadcast.Json.GetProperty("peer_count").GetInt32());
        Assert.Equal(["alice", "alice@ha"], broadcast.Json.GetProperty("peers").EnumerateArray().Select(p => p.GetString()!).Order(StringComparer.Ordinal));
        foreach (var (target, from, answer) in new[] { (alice, "bob@hb", "green on ha"), (otherAlice, "bob", "green on hb") })
        {
            var asked = await target.NextNotificationAsync(Wait);
            Assert.Equal(("ask", from, "status?"), (asked.Type, asked.Get("from"), asked.Content));
            Assert.True((await target.CallAsync("relay_reply", new() { ["ask_id"] = asked.Get("ask_id"), ["text"] = answer }, Wait)).Ok);
        }

        var seen = new List<ChannelMessage>();
        while (seen.All(m => m.Type != "broadcast_summary"))
        {
            seen.Add(await bob.NextNotificationAsync(Wait));
        }

        Assert.Equal(["reply", "reply", "broadcast_summary"], seen.Select(m => m.Type));
        Assert.Equal(
            [("alice", "green on hb"), ("alice@ha", "green on ha")],
            seen.Take(2).Select(m => (m.Get("from")!, m.Content)).Order());
        Assert.All(seen, m => Assert.Equal(broadcast.Str("broadcast_id"), m.Get("broadcast_id")));
        Assert.Contains("alice@ha", seen[^1].Content, StringComparison.Ordinal);
        Assert.DoesNotContain("No answer", seen[^1].Content, StringComparison.Ordinal);
    }

    /// <summary>relay_peers' peers as (name, host), in the order listed.</summary>
    private static List<(string Name, string Host)> Peers(ToolReply peers) =>
        [.. peers.Json.GetProperty("peers").EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.TryGetProperty("host", out var host) && host.ValueKind == JsonValueKind.String ? host.GetString()! : "-"))];
}
