using System.Globalization;
using System.Net.Sockets;
using Relay.Inbox;
using Relay.Tests.Infrastructure;

namespace Relay.Tests.Cli;

/// <summary>
/// A stand-in for a running Claude Code session: a real process named <c>claude</c> (a copy of /bin/sh blocked on
/// stdin) whose command line carries the given flags, its <c>sessions/&lt;pid&gt;.json</c> record with the true
/// <c>procStart</c>, optionally a listening inbox socket and a <c>relay mcp</c> child (a copy of /bin/sh named relay,
/// run as <c>relay -s mcp</c>). Disposing kills exactly the processes it started (the sandbox also stops the session process, which it tracks).
/// </summary>
public sealed class FakeClaudeSession : IAsyncDisposable
{
    private readonly Socket? _inbox;

    private FakeClaudeSession(TrackedProcess process, int? mcpPid, Socket? inbox, string cwd)
    {
        Process = process;
        McpPid = mcpPid;
        _inbox = inbox;
        Cwd = cwd;
    }

    public TrackedProcess Process { get; }

    public int Pid => Process.Pid;

    public int? McpPid { get; }

    public string Cwd { get; }

    /// <param name="sandbox">The test's world: the record goes to its HOME, the processes are tracked by it.</param>
    /// <param name="name">The record's name; also the folder (under the sandbox) the session runs in.</param>
    /// <param name="flags">Claude Code flags for the command line.</param>
    /// <param name="withChannel">Start a <c>relay mcp</c> child.</param>
    /// <param name="withInbox">Bind an inbox socket and name it in the record.</param>
    /// <param name="version">The Claude Code version the record claims.</param>
    public static async Task<FakeClaudeSession> StartAsync(RelaySandbox sandbox, string name, string[] flags, bool withChannel, bool withInbox, string version = "2.1.332")
    {
        var bin = Path.Combine(sandbox.Root, "bin");
        Directory.CreateDirectory(bin);
        var claude = Path.Combine(bin, "claude");
        var relay = Path.Combine(bin, "relay");
        foreach (var copy in (string[])[claude, relay])
        {
            if (!File.Exists(copy))
            {
                File.Copy("/bin/sh", copy);
            }
        }

        var cwd = sandbox.WorkDir(name);
        // Prints the pid of the relay child (or its own), then waits on stdin; fd 3 keeps the child's stdin open.
        var script = withChannel ? "exec 3<&0; \"$FAKE_RELAY\" -s mcp <&3 >/dev/null 2>&1 & echo $!; read x" : "echo $$; read x";
        var process = TrackedProcess.Start(claude, ["-c", script, "claude", .. flags], new Dictionary<string, string?>(sandbox.Env) { ["FAKE_RELAY"] = relay }, cwd);
        sandbox.Track(process);
        await Poll.UntilAsync(() => process.Stdout.Contains('\n', StringComparison.Ordinal), "the fake session to start");
        var printed = int.Parse(process.Stdout.Trim(), CultureInfo.InvariantCulture);

        Socket? inbox = null;
        string? socketPath = null;
        if (withInbox)
        {
            var socks = Path.Combine(sandbox.Root, "cc-socks");
            Directory.CreateDirectory(socks);
            socketPath = Path.Combine(socks, process.Pid.ToString(CultureInfo.InvariantCulture) + ".sock");
            inbox = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            inbox.Bind(new UnixDomainSocketEndPoint(socketPath));
            inbox.Listen(4);
        }

        var home = new ClaudeHome(Path.Combine(sandbox.Home, ".claude"));
        Directory.CreateDirectory(home.SessionsDir);
        var procStart = ProcessStat.TryRead(process.Pid)!.StartTime;
        var socketField = socketPath is null ? string.Empty : $"\"messagingSocketPath\":\"{socketPath}\",";
        File.WriteAllText(home.SessionFile(process.Pid), $$"""
            {"pid":{{process.Pid}},"sessionId":"8bef1791-5e95-45dc-99fe-83b2ca12ae17","cwd":"{{cwd}}","startedAt":1796198575780,"procStart":"{{procStart}}","version":"{{version}}","peerProtocol":1,"kind":"interactive","entrypoint":"cli",{{socketField}}"name":"{{name}}","nameSource":"derived","status":"idle"}
            """);
        return new FakeClaudeSession(process, withChannel ? printed : null, inbox, cwd);
    }

    public async ValueTask DisposeAsync()
    {
        _inbox?.Dispose();
        if (McpPid is { } mcp)
        {
            Posix.Kill(mcp, Posix.SIGKILL);
            await Posix.WaitForExitAsync(mcp, TimeSpan.FromSeconds(5));
        }

        // The session process itself is the sandbox's to stop: it tracks it.
        Process.Signal(Posix.SIGKILL);
    }
}
