using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

public sealed class PeersCommandTests
{
    [Fact]
    public async Task Peers_json_lists_every_other_peer_with_kind_cwd_and_branch()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var api = await TestPeer.JoinAsync(sandbox, "api");
        await using var ops = await TestPeer.JoinAsync(sandbox, "ops", PeerKinds.Cli);

        var result = await sandbox.RunAsync(["peers", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var peers = result.Json().GetProperty("peers").EnumerateArray().ToList();
        Assert.Equal(["api", "ops"], peers.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("claude", peers[0].GetProperty("kind").GetString());
        Assert.Equal("cli", peers[1].GetProperty("kind").GetString());
        Assert.Equal(sandbox.WorkDir("api"), peers[0].GetProperty("cwd").GetString());
        Assert.Equal("main", peers[0].GetProperty("git_branch").GetString());
        Assert.True(peers[0].TryGetProperty("last_seen", out _));
    }

    [Fact]
    public async Task Peers_prints_a_table_with_kind_and_last_seen()
    {
        await using var sandbox = new RelaySandbox();
        await sandbox.StartHubAsync();
        await using var api = await TestPeer.JoinAsync(sandbox, "api");

        var result = await sandbox.RunAsync(["peers"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0]);
        Assert.Contains("LAST SEEN", lines[0]);
        Assert.StartsWith("api ", lines[1]);
        Assert.Contains("claude session", lines[1]);
        Assert.Matches("(just now|[0-9]+s ago)$", lines[1]);
    }

    [Fact]
    public async Task Peers_without_a_hub_exits_5_and_does_not_start_one()
    {
        await using var sandbox = new RelaySandbox();

        var result = await sandbox.RunAsync(["peers"]);

        Assert.Equal(5, result.ExitCode);
        Assert.StartsWith("relay: hub_unreachable: ", result.Stderr);
        Assert.Contains("hint:", result.Stderr);
        Assert.False(File.Exists(sandbox.SocketPath));
    }

    [Fact]
    public async Task Peers_against_a_hub_of_another_protocol_exits_6_with_a_restart_hint()
    {
        await using var sandbox = new RelaySandbox();
        await using var fake = FakeHub.OtherProtocol(sandbox.SocketPath, Relay.Protocol.ProtocolVersion.Current + 1);

        var result = await sandbox.RunAsync(["peers"]);

        Assert.Equal(6, result.ExitCode);
        Assert.StartsWith("relay: protocol_mismatch: ", result.Stderr);
        Assert.Contains("relay hub restart", result.Stderr);
    }
}
