using Relay.Cli.Doctor;
using Relay.Cli.Doctor.Sessions;
using Xunit;

namespace Relay.UnitTests.Cli.Doctor;

public sealed class SessionReachTests : IDisposable
{
    // DeliveryChoice only asks whether the socket path exists: a plain file stands in.
    private readonly string _socket = Path.GetTempFileName();

    public void Dispose() => File.Delete(_socket);

    private static readonly string[] Plain = ["claude"];
    private static readonly string[] WithChannel = ["claude", "--channels", "plugin:relay@claude-relay"];

    [Fact]
    public void A_channel_flag_with_a_running_channel_is_the_channel_path()
    {
        var reach = SessionReach.Decide(hasChannel: true, null, WithChannel, _socket, "2.1.332");
        Assert.Equal(("channel", CheckStatus.Ok, "channel (started with relay as a channel)"), (reach.Path, reach.Status, reach.Message));
        Assert.False(reach.ThroughInbox);
    }

    [Fact]
    public void A_plugin_session_with_an_inbox_uses_it_through_its_channel()
    {
        var reach = SessionReach.Decide(hasChannel: true, null, Plain, _socket, "2.1.332");
        Assert.Equal(("inbox", SessionReach.ViaChannel, CheckStatus.Ok, "inbox via its relay channel"), (reach.Path, reach.Via, reach.Status, reach.Message));
        Assert.True(reach.ThroughInbox);
    }

    [Fact]
    public void A_plugin_session_without_an_inbox_pulls()
    {
        var old = SessionReach.Decide(hasChannel: true, null, Plain, null, "2.1.197");
        Assert.Equal(("pull", CheckStatus.Info), (old.Path, old.Status));
        Assert.Equal("pull only (no inbox: Claude Code 2.1.197 is older than 2.1.224) — the model must call relay_inbox", old.Message);
        Assert.StartsWith("upgrade Claude Code to 2.1.224 or later", old.Fix);

        var off = SessionReach.Decide(hasChannel: true, null, Plain, null, "2.1.332");
        Assert.Equal("pull only (no inbox: Claude Code older than 2.1.224 or inbox off) — the model must call relay_inbox", off.Message);
        Assert.Contains("--channels plugin:relay@claude-relay", off.Fix);
    }

    [Fact]
    public void RELAY_DELIVERY_on_the_channel_is_named()
    {
        var pull = SessionReach.Decide(hasChannel: true, "pull", Plain, _socket, "2.1.332");
        Assert.Equal("pull only (RELAY_DELIVERY=pull) — the model must call relay_inbox", pull.Message);
        Assert.Equal("unset RELAY_DELIVERY for that session", pull.Fix);

        var channel = SessionReach.Decide(hasChannel: true, "channel", Plain, _socket, "2.1.332");
        Assert.Equal("channel (RELAY_DELIVERY=channel)", channel.Message);
    }

    [Fact]
    public void A_session_without_the_plugin_is_reached_by_the_hub_through_its_inbox()
    {
        var reach = SessionReach.Decide(hasChannel: false, null, Plain, _socket, "2.1.332");
        Assert.Equal(("inbox", SessionReach.ViaHub, CheckStatus.Ok, "inbox via the hub (no relay plugin in this session)"), (reach.Path, reach.Via, reach.Status, reach.Message));

        var broken = SessionReach.Decide(hasChannel: false, null, WithChannel, _socket, "2.1.332");
        Assert.Equal(CheckStatus.Warn, broken.Status);
        Assert.Contains("no relay mcp runs under it", broken.Message);
    }

    [Fact]
    public void No_plugin_and_no_inbox_is_unreachable_with_a_fix()
    {
        var reach = SessionReach.Decide(hasChannel: false, null, Plain, null, "2.1.197");
        Assert.Equal((SessionReach.Unreachable, CheckStatus.Warn), (reach.Path, reach.Status));
        Assert.Equal("unreachable (no relay plugin and no inbox: Claude Code 2.1.197 is older than 2.1.224)", reach.Message);
        Assert.Equal("claude plugin install relay@claude-relay, then restart the session with --channels plugin:relay@claude-relay, or upgrade Claude Code to 2.1.224 or later", reach.Fix);
    }

    [Theory]
    [InlineData("2.1.197", true)]
    [InlineData("2.1.224", false)]
    [InlineData("2.1.332", false)]
    [InlineData("2.0.99-beta", true)]
    [InlineData(null, false)]
    [InlineData("garbage", false)]
    public void IsOld_compares_versions(string? version, bool old) => Assert.Equal(old, SessionReach.IsOld(version));

    [Fact]
    public void Inbox_findings_explain_refuse_hold_bypass_and_accept()
    {
        var user = new SettingsLayer(SettingsSources.User, "/h/.claude/settings.json");
        var project = new SettingsLayer(SettingsSources.Project, "/p/.claude/settings.json");
        var prompting = new PermissionMode("default", "default");
        var bypass = new PermissionMode(PermissionMode.Bypass, "--dangerously-skip-permissions");
        const string userFile = "/h/.claude/settings.json";

        var refuse = Assert.Single(InboundFindings.Explain(new InboundDecision("refuse", user), prompting, Plain, userFile));
        Assert.Equal(CheckStatus.Warn, refuse.Status);
        Assert.Equal("crossSessionInbound is refuse (/h/.claude/settings.json): refuses relay asks; askers get `refused`", refuse.Message);
        Assert.Equal("set \"crossSessionInbound\" to \"accept\" in /h/.claude/settings.json", refuse.Fix);

        var hold = Assert.Single(InboundFindings.Explain(new InboundDecision("hold", project), prompting, Plain, userFile));
        Assert.Contains("asks wait for the user's approval", hold.Message);
        Assert.StartsWith("remove \"crossSessionInbound\" from /p/.claude/settings.json", hold.Fix);

        var held = Assert.Single(InboundFindings.Explain(new InboundDecision(null, null), bypass, ["claude", "-p"], userFile));
        Assert.Equal(CheckStatus.Warn, held.Status);
        Assert.Contains("holds relay asks until you approve them in that terminal", held.Message);
        Assert.Contains("held asks expire when it exits", held.Message);
        Assert.StartsWith("run it in a prompting mode (without --dangerously-skip-permissions) or approve held messages", held.Fix);

        // An explicit accept wins over the bypass hold.
        Assert.Equal(CheckStatus.Ok, Assert.Single(InboundFindings.Explain(new InboundDecision("accept", user), bypass, Plain, userFile)).Status);
        Assert.Equal(CheckStatus.Ok, Assert.Single(InboundFindings.Explain(new InboundDecision(null, null), prompting, Plain, userFile)).Status);

        // The session's own relay channel writes as its child: bypass mode does not hold that, but a refusal still applies.
        var own = Assert.Single(InboundFindings.Explain(new InboundDecision(null, null), bypass, Plain, userFile, writtenByOwnChild: true));
        Assert.Equal(CheckStatus.Ok, own.Status);
        Assert.Contains("its own relay channel writes them", own.Message);
        Assert.Equal(CheckStatus.Warn, Assert.Single(InboundFindings.Explain(new InboundDecision("refuse", user), bypass, Plain, userFile, writtenByOwnChild: true)).Status);
    }
}
