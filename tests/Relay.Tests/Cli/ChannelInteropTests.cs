using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Cli;

/// <summary>The terminal and real <c>relay mcp</c> channels (driven by the MCP SDK client) talking through one hub.</summary>
public sealed class ChannelInteropTests
{
    [Fact]
    public async Task A_cli_ask_is_answered_by_a_channel_through_relay_reply()
    {
        await using var sandbox = new RelaySandbox();
        await using var backend = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("backend"));
        var name = await backend.NameAsync();

        var run = sandbox.RunAsync(["ask", name, "did the token shape change?", "--json"]);
        var ask = await backend.NextNotificationAsync();
        Assert.Equal("ask", ask.Type);
        Assert.Equal("did the token shape change?", ask.Content);
        Assert.StartsWith("cli-", ask.Get("from"));
        var replied = await backend.CallAsync("relay_reply", new() { ["ask_id"] = ask.Get("ask_id"), ["text"] = "yes: exp is a number now" });
        Assert.True(replied.Ok, replied.Text);
        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal(name, json.GetProperty("from").GetString());
        Assert.Equal("yes: exp is a number now", json.GetProperty("text").GetString());
        Assert.Equal(ask.Get("ask_id"), json.GetProperty("ask_id").GetString());
    }

    [Fact]
    public async Task A_channels_ask_is_answered_by_relay_listen_exec()
    {
        await using var sandbox = new RelaySandbox();
        var listener = sandbox.StartRelay(["listen", "--as", "upper", "--exec", "tr a-z A-Z"]);
        await Poll.UntilAsync(() => listener.Stderr.Contains("listening as upper", StringComparison.Ordinal) || listener.HasExited, "relay listen to register");
        await using var web = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("web"));

        var asked = await web.CallAsync("relay_ask", new() { ["to"] = "upper", ["question"] = "shout this" });
        Assert.True(asked.Ok, asked.Text);
        var reply = await web.NextNotificationAsync();

        Assert.Equal("reply", reply.Type);
        Assert.Equal("upper", reply.Get("from"));
        Assert.Equal(asked.Str("ask_id"), reply.Get("ask_id"));
        Assert.Equal("SHOUT THIS", reply.Content);
    }

    [Fact]
    public async Task Peers_shows_a_channel_as_a_claude_session_and_a_listener_as_cli()
    {
        await using var sandbox = new RelaySandbox();
        await using var api = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("api"));
        var listener = sandbox.StartRelay(["listen", "--as", "ops"]);
        await Poll.UntilAsync(() => listener.Stderr.Contains("listening as ops", StringComparison.Ordinal) || listener.HasExited, "relay listen to register");

        var result = await sandbox.RunAsync(["peers"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^api +claude session +channel +~?/.*api +- +(just now|[0-9]+s ago)$", lines[1]);
        Assert.Matches("^ops +cli +socket ", lines[2]);
    }
}
