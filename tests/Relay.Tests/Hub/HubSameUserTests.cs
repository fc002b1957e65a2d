using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary>
/// The hub serves only its own user. The socket is opened to everyone for these tests
/// (<c>RELAY_HUB_TEST_SHARE_SOCKET=1</c>: socket 0666, data dir 0711), so what refuses another uid is the hub's
/// <c>SO_PEERCRED</c> check, not the file modes.
/// </summary>
public sealed class HubSameUserTests
{
    // Connects, sends hub_status, and reports what came back before EOF (or that nothing came in 5 s).
    private const string Client = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(sys.argv[1])
        except OSError as e:
            print("connect_failed", e.errno); sys.exit(2)
        print("connected")
        try:
            s.sendall(b'{"type":"hub_status","req_id":"x1"}\n')
        except OSError as e:
            print("send_failed", e.errno)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    print("eof"); break
                data += chunk
                if data.endswith(b"\n"):
                    print("line"); break
        except socket.timeout:
            print("timeout")
        except OSError as e:
            print("reset", e.errno)
        print("received", len(data))
        sys.stdout.write(data.decode("utf-8", "replace"))
        """;

    private const string Python = "/usr/bin/python3";

    [OtherUserFact]
    public async Task Another_uid_that_can_reach_the_socket_is_refused_by_peercred_logged_and_served_nothing()
    {
        await using var world = await HubWorld.StartAsync(new Dictionary<string, string?> { ["RELAY_HUB_TEST_SHARE_SOCKET"] = "1" });
        // The sandbox root is 0700; let the other uid traverse it to the (now 0711) data dir and the 0666 socket.
        File.SetUnixFileMode(world.Sandbox.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Assert.Equal("0666", Mode(world.SocketPath));

        // Control: the same client as this user gets its answer, so the script and the open modes work.
        await using (var own = TrackedProcess.Start(Python, ["-c", Client, world.SocketPath]))
        {
            Assert.Equal(0, await own.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            own.Process.WaitForExit();
            Assert.Contains("hub_status_reply", own.Stdout, StringComparison.Ordinal);
        }

        await using var other = OtherUser.Start(Python, ["-c", Client, world.SocketPath]);
        Assert.Equal(0, await other.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        other.Process.WaitForExit();
        var output = other.Stdout;
        // It got through the file modes (connected), then the hub closed it without a single byte.
        Assert.Contains("connected", output, StringComparison.Ordinal);
        Assert.Contains("received 0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("timeout", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hub_status_reply", output, StringComparison.Ordinal);

        var logs = await world.Sandbox.WaitForLogAsync("peer_refused_uid");
        var refusal = logs.Split('\n').First(line => line.Contains("peer_refused_uid", StringComparison.Ordinal));
        Assert.Contains($"\"uid\":{OtherUser.Uid}", refusal, StringComparison.Ordinal);
        Assert.Contains("\"pid\":", refusal, StringComparison.Ordinal);

        // The hub carries on for its own user.
        var alice = await world.PeerAsync("alice");
        Assert.Single((await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers);
        Assert.False(world.Hub.HasExited);
    }

    private static string Mode(string path) => "0" + Convert.ToString((int)File.GetUnixFileMode(path), 8);
}
