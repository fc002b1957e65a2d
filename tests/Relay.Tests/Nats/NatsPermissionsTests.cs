using System.Text.Json;
using Relay.Protocol.Messages;
using Relay.Tests.Cli;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Nats;

/// <summary>
/// A space as a NATS account with one user per host (docs/across-machines.md): the hubs work under those
/// permissions, and host A's credentials cannot publish as host B.
/// </summary>
public sealed class NatsPermissionsTests
{
    private static string Ask(string fromHost, string askId, string question) =>
        $$"""{"type":"ask","from_host":"{{fromHost}}","ask_id":"{{askId}}","target":"bob@hb","from":"mallory","to":"bob","question":"{{question}}","timeout_ms":60000,"sent_at_ms":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}""";

    [NetLabFact]
    public async Task HostACredentialsCannotPublishAsHostB()
    {
        await using var world = await CrossHostWorld.StartAsync(secured: true);
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");

        // The hubs work under their users' permissions: presence, an ask and its reply.
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "allowed?", AskId = "a-1" });
        var asked = await bob.NextAsync<IncomingAskMessage>(CrossHostWorld.Wait);
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = asked.AskId, Text = "yes" });
        Assert.Equal("yes", (await alice.NextAsync<IncomingReplyMessage>(CrossHostWorld.Wait)).Text);
        await NatsLivePathTests.SentAsync(world.A, live: 1, durable: 0);
        await NatsLivePathTests.SentAsync(world.B, live: 1, durable: 0);

        // Host A's credentials, publishing as host A: the raw path works (mallory is a name nobody registered).
        var own = await world.RawPublishAsync(world.A, "ha", "relay.test.hb.ask.ha", Ask("ha", "x-1", "as myself"));
        Assert.DoesNotContain("-ERR", own, StringComparison.Ordinal);
        var mine = await bob.NextAsync<IncomingAskMessage>(CrossHostWorld.Wait);
        Assert.Equal(("mallory@ha", "as myself"), (mine.From, mine.Question));

        // Host A's credentials, publishing as host B: the server refuses the subject.
        var asB = await world.RawPublishAsync(world.A, "ha", "relay.test.hb.ask.hb", Ask("hb", "x-2", "as hb"));
        Assert.Contains("Permissions Violation for Publish to \"relay.test.hb.ask.hb\"", asB, StringComparison.Ordinal);
        var liveAsB = await world.RawPublishAsync(world.A, "ha", "relay-live.test.ha.ask.hb", Ask("hb", "x-4", "live as hb"));
        Assert.Contains("Permissions Violation for Publish to \"relay-live.test.ha.ask.hb\"", liveAsB, StringComparison.Ordinal);
        var listenAsB = await world.RawSubscribeAsync(world.A, "ha", "relay-live.test.hb.>");
        Assert.Contains("Permissions Violation for Subscription to \"relay-live.test.hb.>\"", listenAsB, StringComparison.Ordinal);
        var ackAsB = await world.RawPublishAsync(world.A, "ha", "relay-ack.test.ha.a.hb", "0123456789abcdef0123456789abcdef");
        Assert.Contains("Permissions Violation for Publish to \"relay-ack.test.ha.a.hb\"", ackAsB, StringComparison.Ordinal);
        var acksOfB = await world.RawSubscribeAsync(world.A, "ha", "relay-ack.test.hb.>");
        Assert.Contains("Permissions Violation for Subscription to \"relay-ack.test.hb.>\"", acksOfB, StringComparison.Ordinal);
        var presence = await world.RawPublishAsync(world.A, "ha", "$KV.relay-test-peers.hb.mallory", """{"name":"mallory","host":"hb"}""");
        Assert.Contains("Permissions Violation for Publish to \"$KV.relay-test-peers.hb.mallory\"", presence, StringComparison.Ordinal);

        // An allowed subject whose body claims host B: host B's hub drops it.
        await world.RawPublishAsync(world.A, "ha", "relay.test.hb.ask.ha", Ask("hb", "x-3", "body claims hb"));
        await CrossHostWorld.WaitForLogAsync(world.B, "nats_forged_envelope");
        await bob.ExpectNoMessageAsync(TimeSpan.FromSeconds(2));
        var peers = await alice.RequestAsync<PeersMessage>(new ListPeersMessage());
        Assert.DoesNotContain(peers.Peers, p => p.Name == "mallory");
    }

    [NetLabFact]
    public Task HubsUnderPermissionsWrittenBeforeTheLivePathStillTalkThroughTheStream() => StreamOnlyUnderAsync(SpaceAccounts.Live.None);

    [NetLabFact]
    public Task HubsUnderPermissionsWithoutTheAcknowledgementSubjectsStillTalkThroughTheStream() => StreamOnlyUnderAsync(SpaceAccounts.Live.WithoutAcks);

    /// <summary>Under older permissions each hub sees the server refuse a live subject, and both use the stream only.</summary>
    private static async Task StreamOnlyUnderAsync(SpaceAccounts.Live permissions)
    {
        await using var world = await CrossHostWorld.StartAsync(secured: true, live: permissions);
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");
        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");

        for (var i = 1; i <= 3; i++)
        {
            await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "q" + i, AskId = "a-" + i });
            var asked = await bob.NextAsync<IncomingAskMessage>(CrossHostWorld.Wait);
            Assert.Equal("q" + i, asked.Question);
            await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = asked.AskId, Text = "r" + i });
            Assert.Equal("r" + i, (await alice.NextAsync<IncomingReplyMessage>(CrossHostWorld.Wait)).Text);
        }

        await alice.ExpectNoMessageAsync(TimeSpan.FromSeconds(1));
        await bob.ExpectNoMessageAsync(TimeSpan.FromSeconds(1));
        await NatsLivePathTests.SentAsync(world.A, live: 0, durable: 3);
        await NatsLivePathTests.SentAsync(world.B, live: 0, durable: 3);
        Assert.True((await CrossHostWorld.NatsStatusAsync(world.A)).LiveRefused);
        Assert.True((await CrossHostWorld.NatsStatusAsync(world.B)).LiveRefused);

        var doctor = await world.A.Sandbox.RunAsync(["doctor", "--json"]);
        var live = Check(doctor, "nats live");
        Assert.Equal("warn", Text(live, "status"));
        Assert.Contains("relay-live.test.*.*.ha", Text(live, "fix"), StringComparison.Ordinal);
        var status = await world.A.Sandbox.RunAsync(["hub", "status"]);
        Assert.Contains("sent 0 live, 3 through the stream (live refused by the server's permissions)", status.Stdout, StringComparison.Ordinal);
    }

    private static JsonElement Check(CliResult result, string name) =>
        TryCheck(result, name) ?? throw new Xunit.Sdk.XunitException($"no {name} check in: {result.Stdout}");

    private static JsonElement? TryCheck(CliResult result, string name)
    {
        try
        {
            foreach (var check in result.Json().GetProperty("checks").EnumerateArray())
            {
                if (check.GetProperty("name").GetString() == name)
                {
                    return check;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
        }

        return null;
    }

    private static string Text(JsonElement element, string property) => element.GetProperty(property).GetString()!;

    [NetLabFact]
    public async Task DoctorChecksTheSpaceTheClockAndRefusedCredentials()
    {
        await using var world = await CrossHostWorld.StartAsync(secured: true);
        await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");
        await CrossHostWorld.WaitForPeerAsync(bob, "alice", "ha");

        var deadline = DateTime.UtcNow + CrossHostWorld.Wait;
        CliResult ok;
        while (true)
        {
            ok = await world.A.Sandbox.RunAsync(["doctor", "--json"]);
            if ((TryCheck(ok, "nats clock") is { } clock && Text(clock, "status") == "ok") || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(500);
        }

        var nats = Check(ok, "nats");
        Assert.Equal("ok", Text(nats, "status"));
        Assert.StartsWith("host ha joined space test via ", Text(nats, "message"), StringComparison.Ordinal);
        Assert.EndsWith(", 1 remote peer(s)", Text(nats, "message"), StringComparison.Ordinal);
        Assert.Equal("ok", Text(Check(ok, "nats clock"), "status"));
        Assert.StartsWith("within ", Text(Check(ok, "nats clock"), "message"), StringComparison.Ordinal);

        // A hub whose password the server refuses: doctor says so and points at the credentials.
        var intruder = await world.AddHostAsync("hc", "hb", "wrong");
        deadline = DateTime.UtcNow + CrossHostWorld.Wait;
        JsonElement refused;
        while (true)
        {
            var result = await intruder.Sandbox.RunAsync(["doctor", "--json"]);
            if ((TryCheck(result, "nats") is { } check && Text(check, "message").Contains("Authorization", StringComparison.OrdinalIgnoreCase)) || DateTime.UtcNow > deadline)
            {
                refused = Check(result, "nats");
                break;
            }

            await Task.Delay(500);
        }

        Assert.Equal("fail", Text(refused, "status"));
        Assert.StartsWith("the NATS server refused this hub's credentials: ", Text(refused, "message"), StringComparison.Ordinal);
        Assert.Contains("--nats-user", Text(refused, "fix"), StringComparison.Ordinal);
    }
}
