using System.Text;
using Relay.Cli.Doctor.Sessions;
using Xunit;

namespace Relay.UnitTests.Cli.Doctor;

public sealed class InboundPolicyTests
{
    private static SettingsLayer Layer(string source, string? inbound = null, string? invalid = null, string? defaultMode = null, bool disablesBypass = false) =>
        new(source, source + ".json") { Inbound = inbound, InvalidInbound = invalid, DefaultMode = defaultMode, DisablesBypass = disablesBypass };

    [Fact]
    public void Unset_everywhere_is_unset()
    {
        var decision = InboundPolicy.Resolve([Layer(SettingsSources.User), Layer(SettingsSources.Project)]);
        Assert.Null(decision.Value);
        Assert.Null(decision.DecidedBy);
    }

    [Fact]
    public void Policy_beats_flag_beats_user_even_when_looser()
    {
        var all = InboundPolicy.Resolve([Layer(SettingsSources.Policy, "accept"), Layer(SettingsSources.Flag, "refuse"), Layer(SettingsSources.User, "hold")]);
        Assert.Equal("accept", all.Value);
        Assert.Equal(SettingsSources.Policy, all.DecidedBy!.Source);

        var flagOverUser = InboundPolicy.Resolve([Layer(SettingsSources.Flag, "accept"), Layer(SettingsSources.User, "refuse")]);
        Assert.Equal("accept", flagOverUser.Value);
        Assert.Equal(SettingsSources.Flag, flagOverUser.DecidedBy!.Source);

        var user = InboundPolicy.Resolve([Layer(SettingsSources.Flag), Layer(SettingsSources.User, "hold")]);
        Assert.Equal("hold", user.Value);
        Assert.Equal(SettingsSources.User, user.DecidedBy!.Source);
    }

    [Theory]
    [InlineData("accept", "hold", null, "hold", SettingsSources.Project)]
    [InlineData("accept", null, "refuse", "refuse", SettingsSources.Local)]
    [InlineData("hold", "refuse", "accept", "refuse", SettingsSources.Project)]
    [InlineData(null, "hold", null, "hold", SettingsSources.Project)]
    [InlineData("refuse", "accept", "hold", "refuse", SettingsSources.User)]
    [InlineData("hold", "accept", "accept", "hold", SettingsSources.User)]
    [InlineData(null, "accept", null, null, null)]
    [InlineData("hold", "hold", "refuse", "refuse", SettingsSources.Local)]
    public void Project_and_local_settings_can_only_tighten(string? user, string? project, string? local, string? expected, string? decidedBy)
    {
        var decision = InboundPolicy.Resolve([Layer(SettingsSources.User, user), Layer(SettingsSources.Project, project), Layer(SettingsSources.Local, local)]);
        Assert.Equal(expected, decision.Value);
        Assert.Equal(decidedBy, decision.DecidedBy?.Source);
    }

    [Fact]
    public void An_unrecognised_value_holds_outside_policy_and_refuses_in_policy()
    {
        var user = InboundPolicy.Resolve([Layer(SettingsSources.User, invalid: "\"yes\"")]);
        Assert.Equal("hold", user.Value);
        Assert.Equal(SettingsSources.User, user.InvalidIn!.Source);

        // A stricter valid value elsewhere still wins over the hold.
        var refused = InboundPolicy.Resolve([Layer(SettingsSources.User, invalid: "\"yes\""), Layer(SettingsSources.Project, "refuse")]);
        Assert.Equal("refuse", refused.Value);
        Assert.Null(refused.InvalidIn);

        var policy = InboundPolicy.Resolve([Layer(SettingsSources.Policy, invalid: "1"), Layer(SettingsSources.User, "accept")]);
        Assert.Equal("refuse", policy.Value);
        Assert.Equal(SettingsSources.Policy, policy.DecidedBy!.Source);
    }

    [Fact]
    public void Permission_mode_comes_from_the_command_line_first()
    {
        Assert.True(PermissionMode.Resolve(["claude", "--dangerously-skip-permissions"], []).IsBypass);
        Assert.Equal("--permission-mode bypassPermissions", PermissionMode.Resolve(["claude", "--permission-mode", "bypassPermissions"], []).Source);
        Assert.True(PermissionMode.Resolve(["claude", "--permission-mode=bypassPermissions"], []).IsBypass);
        var flagWins = PermissionMode.Resolve(["claude", "--permission-mode", "plan"], [Layer(SettingsSources.User, defaultMode: "bypassPermissions")]);
        Assert.Equal("plan", flagWins.Mode);
        Assert.False(PermissionMode.Resolve(["claude", "--allow-dangerously-skip-permissions"], []).IsBypass);
        Assert.Equal(new PermissionMode("default", "default"), PermissionMode.Resolve(["claude"], []));
    }

    [Fact]
    public void Only_policy_flag_and_user_settings_may_grant_bypass_mode()
    {
        var user = PermissionMode.Resolve(["claude"], [Layer(SettingsSources.User, defaultMode: "bypassPermissions")]);
        Assert.True(user.IsBypass);
        Assert.Equal("permissions.defaultMode in userSettings.json", user.Source);

        var project = PermissionMode.Resolve(["claude"], [Layer(SettingsSources.Project, defaultMode: "bypassPermissions"), Layer(SettingsSources.User, defaultMode: "acceptEdits")]);
        Assert.False(project.IsBypass);

        // Local settings override user settings for the mode, so a local "plan" ends a user's bypass default.
        var local = PermissionMode.Resolve(["claude"], [Layer(SettingsSources.Local, defaultMode: "plan"), Layer(SettingsSources.User, defaultMode: "bypassPermissions")]);
        Assert.Equal("plan", local.Mode);

        var disabled = PermissionMode.Resolve(["claude", "--dangerously-skip-permissions"], [Layer(SettingsSources.Policy, disablesBypass: true)]);
        Assert.False(disabled.IsBypass);
    }

    [Fact]
    public void Settings_json_is_read_leniently_and_odd_values_are_kept_apart()
    {
        var layer = SessionSettingsReader.FromJson(SettingsSources.User, "u", Encoding.UTF8.GetBytes("""
            // comment
            {"crossSessionInbound":"hold","permissions":{"defaultMode":"manual","disableBypassPermissionsMode":"disable",},}
            """));
        Assert.Null(layer.Error);
        Assert.Equal("hold", layer.Inbound);
        Assert.Equal("default", layer.DefaultMode);
        Assert.True(layer.DisablesBypass);

        var invalid = SessionSettingsReader.FromJson(SettingsSources.User, "u", Encoding.UTF8.GetBytes("""{"crossSessionInbound":"Accept"}"""));
        Assert.Null(invalid.Inbound);
        Assert.Equal("\"Accept\"", invalid.InvalidInbound);

        Assert.NotNull(SessionSettingsReader.FromJson(SettingsSources.User, "u", Encoding.UTF8.GetBytes("{")).Error);
        Assert.NotNull(SessionSettingsReader.FromJson(SettingsSources.User, "u", Encoding.UTF8.GetBytes("[]")).Error);
    }

    [Fact]
    public void OptionValue_reads_both_spellings_and_the_last_one_wins()
    {
        Assert.Equal("/a.json", SessionSettingsReader.OptionValue(["claude", "--settings", "/a.json"], "--settings"));
        Assert.Equal("{\"x\":1}", SessionSettingsReader.OptionValue(["claude", "--settings={\"x\":1}"], "--settings"));
        Assert.Equal("b", SessionSettingsReader.OptionValue(["claude", "--settings", "a", "--settings=b"], "--settings"));
        Assert.Null(SessionSettingsReader.OptionValue(["claude", "--settings"], "--settings"));
    }
}
