using System.Diagnostics;
using System.Net.Sockets;
using Relay.Inbox;
using Xunit;

namespace Relay.Tests.Inbox;

public sealed class ClaudeSessionsTests : IDisposable
{
    private readonly InboxTempDir _dir = new();
    private readonly ClaudeHome _home;

    public ClaudeSessionsTests()
    {
        _home = new ClaudeHome(_dir.File("claude"));
        Directory.CreateDirectory(_home.SessionsDir);
    }

    public void Dispose() => _dir.Dispose();

    private static string OwnProcStart => ProcessStat.TryRead(Environment.ProcessId)!.StartTime;

    private static string Record(int pid, string? procStart, string? socket, string? pidDomain = null, string name = "alice") =>
        $$"""
        {"pid":{{pid}},"sessionId":"8bef1791-5e95-45dc-99fe-83b2ca12ae17","cwd":"/tmp/x","startedAt":1796198575780,{{(procStart is null ? "" : $"\"procStart\":\"{procStart}\",")}}"version":"2.1.332","peerProtocol":1,"peerFeatures":["notify_idle"],"kind":"interactive","entrypoint":"sdk-cli",{{(pidDomain is null ? "" : $"\"pidDomain\":\"{pidDomain}\",")}}"asksForConvertedSkills":null,{{(socket is null ? "" : $"\"messagingSocketPath\":\"{socket}\",")}}"name":"{{name}}","nameSource":"derived","status":"idle"}
        """;

    private void Write(string fileName, string content) => File.WriteAllText(Path.Combine(_home.SessionsDir, fileName), content);

    private Socket BindSocket(string name)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(_dir.File(name)));
        socket.Listen(1);
        return socket;
    }

    [Fact]
    public void Resolve_prefers_CLAUDE_CONFIG_DIR_then_HOME()
    {
        Assert.Equal("/cfg/dir", ClaudeHome.Resolve(k => k == "CLAUDE_CONFIG_DIR" ? "/cfg/dir" : "/home/u").ConfigDir);
        Assert.Equal("/home/u/.claude", ClaudeHome.Resolve(k => k == "HOME" ? "/home/u" : null).ConfigDir);
        Assert.Equal("/home/u/.claude", ClaudeHome.Resolve(k => k == "HOME" ? "/home/u" : "").ConfigDir);
        Assert.Equal("/home/u/.claude/sessions/42.json", new ClaudeHome("/home/u/.claude").SessionFile(42));
    }

    [Fact]
    public void Parses_a_real_2_1_332_record()
    {
        const string json = """
            {"pid":4709,"sessionId":"8bef1791-5e95-45dc-99fe-83b2ca12ae17","cwd":"/tmp/inboxexp/a/cwd","startedAt":1796198575780,"procStart":"26538","version":"2.1.332","peerProtocol":1,"peerFeatures":["notify_idle","reply_across_default_dirs","artifact_yield"],"kind":"interactive","entrypoint":"sdk-cli","pidDomain":"linux:3d1219c7c4c5404aaa1f6d2a48adfda4:pid:[4026531836]","asksForConvertedSkills":null,"messagingSocketPath":"/tmp/inboxexp/a/run/cc-socks/4709.sock","name":"cwd-63","nameSource":"derived","nameSince":1796198575780,"status":"idle","updatedAt":1796198575732,"statusUpdatedAt":1796198575732}
            """;
        var record = ClaudeSessionRecord.TryParse(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.NotNull(record);
        Assert.Equal(4709, record.Pid);
        Assert.Equal("8bef1791-5e95-45dc-99fe-83b2ca12ae17", record.SessionId);
        Assert.Equal("/tmp/inboxexp/a/cwd", record.Cwd);
        Assert.Equal("cwd-63", record.Name);
        Assert.Equal("derived", record.NameSource);
        Assert.Equal("interactive", record.Kind);
        Assert.Equal("sdk-cli", record.Entrypoint);
        Assert.Equal("2.1.332", record.Version);
        Assert.Equal("/tmp/inboxexp/a/run/cc-socks/4709.sock", record.MessagingSocketPath);
        Assert.Equal("26538", record.ProcStart);
        Assert.Equal(1796198575780, record.StartedAt);
        Assert.Equal(1, record.PeerProtocol);
        Assert.Equal("linux:3d1219c7c4c5404aaa1f6d2a48adfda4:pid:[4026531836]", record.PidDomain);
        Assert.Equal("idle", record.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"pid\":\"12\"}")]
    [InlineData("{\"pid\":-3}")]
    [InlineData("{\"pid\":1.5}")]
    [InlineData("{\"pid\":12,\"cwd\":\"/x\"")]
    [InlineData("{\"pid\":12} trailing")]
    [InlineData("\u00ff\u00fe garbage")]
    public void Garbage_records_parse_to_null(string json) =>
        Assert.Null(ClaudeSessionRecord.TryParse(System.Text.Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Fields_of_the_wrong_type_are_null()
    {
        var record = ClaudeSessionRecord.TryParse("""{"pid":7,"name":3,"procStart":26538,"messagingSocketPath":null,"startedAt":"x"}"""u8);
        Assert.NotNull(record);
        Assert.Null(record.Name);
        Assert.Null(record.ProcStart);
        Assert.Null(record.MessagingSocketPath);
        Assert.Null(record.StartedAt);
    }

    [Fact]
    public void ProcStart_is_field_22_of_proc_stat_and_survives_odd_command_names()
    {
        var stat = ProcessStat.TryParse("4709 (claude) x) S 4700 4709 4700 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 11 0 26538 1 2 3");
        Assert.NotNull(stat);
        Assert.Equal('S', stat.State);
        Assert.Equal(4700, stat.ParentPid);
        Assert.Equal("26538", stat.StartTime);
        Assert.Null(ProcessStat.TryParse("garbage"));
        Assert.Null(ProcessStat.TryParse("1 (x) S 1"));

        var own = ProcessStat.TryRead(Environment.ProcessId);
        Assert.NotNull(own);
        Assert.False(own.IsZombie);
        Assert.Null(ProcessStat.TryRead(0));
    }

    [Fact]
    public void List_returns_only_live_sessions_with_an_existing_socket()
    {
        using var live = BindSocket("live.sock");
        var self = Environment.ProcessId;
        var dead = DeadPid();
        Write($"{self}.json", Record(self, OwnProcStart, _dir.File("live.sock"), PidDomain.Current));
        Write($"{dead}.json", Record(dead, "123", _dir.File("live.sock")));
        Write("999999999.json", Record(999999999, "1", _dir.File("live.sock")));
        Write($"{self}.abc.key", "{\"peerToken\":\"x\"}");
        Write("notes.json", Record(self, OwnProcStart, _dir.File("live.sock")));
        Write("12.json", "{\"pid\":12,\"cwd\":");
        Write("13.json", "\u0001\u0002 not json");

        var sessions = new ClaudeSessions(_home).List();

        var only = Assert.Single(sessions);
        Assert.Equal(self, only.Pid);
        Assert.Equal("alice", only.Name);
    }

    [Fact]
    public void ListLive_also_returns_live_sessions_without_an_inbox_but_List_does_not()
    {
        var self = Environment.ProcessId;
        var dead = DeadPid();
        Write($"{self}.json", Record(self, OwnProcStart, socket: null, PidDomain.Current));
        Write($"{dead}.json", Record(dead, "123", socket: null));

        var sessions = new ClaudeSessions(_home);

        Assert.Equal([self], sessions.ListLive().Select(s => s.Pid));
        Assert.Empty(sessions.List());

        using var live = BindSocket("live.sock");
        Write($"{self}.json", Record(self, OwnProcStart, _dir.File("live.sock"), PidDomain.Current));
        Assert.Equal([self], sessions.List().Select(s => s.Pid));
        Assert.Equal([self], sessions.ListLive().Select(s => s.Pid));
    }

    [Fact]
    public void A_recycled_pid_a_foreign_domain_a_missing_procStart_or_a_missing_socket_is_not_listed()
    {
        using var live = BindSocket("live.sock");
        var self = Environment.ProcessId;
        var sessions = new ClaudeSessions(_home);

        Write($"{self}.json", Record(self, OwnProcStart + "0", _dir.File("live.sock")));
        Assert.Empty(sessions.List());
        Assert.Null(sessions.ForPid(self));

        Write($"{self}.json", Record(self, OwnProcStart, _dir.File("live.sock"), "linux:0000:pid:[1]"));
        Assert.Empty(sessions.List());

        Write($"{self}.json", Record(self, null, _dir.File("live.sock")));
        Assert.Empty(sessions.List());

        Write($"{self}.json", Record(self, OwnProcStart, _dir.File("gone.sock")));
        Assert.Empty(sessions.List());
        Assert.NotNull(sessions.ForPid(self)); // live, just no inbox

        Write($"{self}.json", Record(self, OwnProcStart, null));
        Assert.Empty(sessions.List());
    }

    [Fact]
    public void A_record_filed_under_another_pid_is_ignored()
    {
        using var live = BindSocket("live.sock");
        var self = Environment.ProcessId;
        Write($"{self + 1}.json", Record(self, OwnProcStart, _dir.File("live.sock")));
        Assert.Empty(new ClaudeSessions(_home).List());
        Assert.Null(new ClaudeSessions(_home).ForPid(self + 1));
    }

    [Fact]
    public void ForPid_reads_the_record_of_a_live_process()
    {
        var self = Environment.ProcessId;
        Write($"{self}.json", Record(self, OwnProcStart, "/nowhere/1.sock", name: "bob"));
        var record = new ClaudeSessions(_home).ForPid(self);
        Assert.NotNull(record);
        Assert.Equal("bob", record.Name);
        Assert.Null(new ClaudeSessions(_home).ForPid(DeadPid()));
    }

    [Fact]
    public void A_missing_sessions_directory_lists_nothing() =>
        Assert.Empty(new ClaudeSessions(new ClaudeHome(_dir.File("nope"))).List());

    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
