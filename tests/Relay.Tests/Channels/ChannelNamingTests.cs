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
        // Another peer with its own HOME, so it does not follow the same sessions file.
        var otherHome = Path.Combine(sandbox.Root, "other-home");
        Directory.CreateDirectory(otherHome);
        await using var other = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("taken"), new Dictionary<string, string?> { ["HOME"] = otherHome });
        Assert.Equal("taken", await other.NameAsync());

        // Claude Code's own derived name is ignored.
        await File.WriteAllTextAsync(file, Session("proj-04", derived: true));
        // A half-written file is skipped; the complete write that follows is taken.
        await File.WriteAllTextAsync(file, """{"pid":1,"sessionId":"s","name":"Fancy Na""");
        await Task.Delay(300);
        Assert.Equal("proj", await channel.NameAsync());
        await File.WriteAllTextAsync(file, Session("Fancy Name!"));
        await Eventually.WaitAsync(channel.NameAsync, n => n == "fancy-name", TimeSpan.FromSeconds(10), "the /rename to sync");

        // A name another peer holds is refused and logged; nothing breaks.
        await File.WriteAllTextAsync(file, Session("taken"));
        await Task.Delay(500);
        Assert.Equal("fancy-name", await channel.NameAsync());
        Assert.True((await other.CallAsync("relay_ask", new() { ["to"] = "fancy-name", ["question"] = "ok?" })).Ok);
        Assert.Equal("ok?", (await channel.NextNotificationAsync()).Content);

        // A later rename still syncs, and the file disappearing (session exit) is harmless.
        await File.WriteAllTextAsync(file, Session("Second Name"));
        await Eventually.WaitAsync(channel.NameAsync, n => n == "second-name", TimeSpan.FromSeconds(10), "the second /rename to sync");
        File.Delete(file);
        await Task.Delay(200);
        Assert.Equal("second-name", await channel.NameAsync());
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
