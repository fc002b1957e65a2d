using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Channels;

public sealed class ChannelNamingTests
{
    [Fact]
    public async Task Channels_sharing_a_folder_name_get_suffixes_beyond_ten()
    {
        await using var sandbox = new RelaySandbox();
        var dirs = Enumerable.Range(1, 12).Select(i =>
        {
            var dir = Path.Combine(sandbox.Root, "w" + i, "api");
            Directory.CreateDirectory(dir);
            return dir;
        }).ToList();

        await using var group = await ChannelGroup.StartAsync(sandbox, dirs);
        var names = await Task.WhenAll(group.Channels.Select(c => c.NameAsync()));

        string[] expected = ["api", .. Enumerable.Range(2, 11).Select(i => $"api-{i}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_default_name_is_the_slug_of_the_folder_name()
    {
        await using var sandbox = new RelaySandbox();
        await using var channel = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("My Project (v2)"));
        Assert.Equal("my-project-v2", await channel.NameAsync());
    }

    [Fact]
    public async Task A_valid_preset_name_seeds_the_name_and_an_invalid_one_is_ignored()
    {
        await using var sandbox = new RelaySandbox();
        var preset = new Dictionary<string, string?> { ["CLAUDE_RELAY_PRESET_NAME"] = "backend-api" };
        await using var first = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("folder"), preset);
        Assert.Equal("backend-api", await first.NameAsync());
        await using var second = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("folder"), preset);
        Assert.Equal("backend-api-2", await second.NameAsync());

        var invalid = new Dictionary<string, string?> { ["CLAUDE_RELAY_PRESET_NAME"] = "not a name!" };
        await using var third = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("fallback"), invalid);
        Assert.Equal("fallback", await third.NameAsync());
    }

    [Fact]
    public async Task Claude_Code_rename_syncs_through_the_sessions_file()
    {
        await using var sandbox = new RelaySandbox();
        // The channel's parent is this test process, so it watches ~/.claude/sessions/<our pid>.json.
        var sessions = Path.Combine(sandbox.Home, ".claude", "sessions");
        Directory.CreateDirectory(sessions);
        var file = Path.Combine(sessions, Environment.ProcessId + ".json");
        await using var channel = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("proj"));
        Assert.Equal("proj", await channel.NameAsync());
        // An observer sees every rename in the hub's one order, so "nothing changed" is checked against what the hub
        // did, not against a guessed wait.
        await using var observer = await RawHubClient.ConnectAsync(sandbox.SocketPath);
        await observer.RequestAsync<AckMessage>(new WatchMessage { ProtocolVersion = ProtocolVersion.Current });
        // Another peer with its own HOME, so it does not follow the same sessions file.
        var otherHome = Path.Combine(sandbox.Root, "other-home");
        Directory.CreateDirectory(otherHome);
        await using var other = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("taken"), new Dictionary<string, string?> { ["HOME"] = otherHome });
        Assert.Equal("taken", await other.NameAsync());

        // Claude Code's own derived name is ignored and a half-written file is skipped: the channel handles writes
        // one at a time, in order, so the first rename the hub sees is the complete write that follows them.
        await File.WriteAllTextAsync(file, Session("proj-04", derived: true));
        await File.WriteAllTextAsync(file, """{"pid":1,"sessionId":"s","name":"Fancy Na""");
        await File.WriteAllTextAsync(file, Session("Fancy Name!"));
        Assert.Equal(("proj", "fancy-name"), await NextRenameAsync(observer));
        Assert.Equal("fancy-name", await channel.NameAsync());

        // A name another peer holds is refused and logged; nothing breaks.
        await File.WriteAllTextAsync(file, Session("taken"));
        await Poll.ForAsync(
            sandbox.ReadLogsAsync,
            logs => logs.Contains("session_sync_rename_refused", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the refused rename to be logged");
        Assert.Equal("fancy-name", await channel.NameAsync());
        Assert.True((await other.CallAsync("relay_ask", new() { ["to"] = "fancy-name", ["question"] = "ok?" })).Ok);
        Assert.Equal("ok?", (await channel.NextNotificationAsync()).Content);

        // A later rename still syncs, and the file disappearing (session exit) is harmless: the next write is
        // followed as before, and the channel never left the hub.
        await File.WriteAllTextAsync(file, Session("Second Name"));
        Assert.Equal(("fancy-name", "second-name"), await NextRenameAsync(observer));
        File.Delete(file);
        await File.WriteAllTextAsync(file, Session("Third Name"));
        Assert.Equal(("second-name", "third-name"), await NextRenameAsync(observer));
        Assert.Equal("third-name", await channel.NameAsync());
        await observer.ExpectNoMessageAsync();
    }

    /// <summary>The next rename the hub reports; other events (the other peer's register, asks) are skipped, but no peer may leave.</summary>
    private static async Task<(string? OldName, string? Name)> NextRenameAsync(RawHubClient observer)
    {
        while (true)
        {
            var hubEvent = await observer.NextAsync<HubEventMessage>();
            if (hubEvent.Event == HubEvents.PeerRename)
            {
                return (hubEvent.OldName, hubEvent.Name);
            }

            Assert.NotEqual(HubEvents.PeerLeave, hubEvent.Event);
        }
    }

    [Fact]
    public async Task A_user_given_session_name_present_at_startup_seeds_the_name()
    {
        await using var sandbox = new RelaySandbox();
        var sessions = Path.Combine(sandbox.Home, ".claude", "sessions");
        Directory.CreateDirectory(sessions);
        await File.WriteAllTextAsync(Path.Combine(sessions, Environment.ProcessId + ".json"), Session("Review Bot"));

        await using var channel = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("somewhere"));
        Assert.Equal("review-bot", await channel.NameAsync());
    }

    private static string Session(string name, bool derived = false) =>
        $$"""{"pid":{{Environment.ProcessId}},"sessionId":"0b5c","cwd":"/tmp","startedAt":1,"kind":"interactive","entrypoint":"cli","name":"{{name}}"{{(derived ? ",\"nameSource\":\"derived\"" : "")}},"status":"idle"}""";
}
