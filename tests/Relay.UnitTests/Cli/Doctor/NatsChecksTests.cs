using Relay.Cli.Doctor;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Cli.Doctor;

/// <summary><c>relay doctor</c>'s NATS checks from a hub's <c>hub_status_reply</c>.</summary>
public sealed class NatsChecksTests
{
    private static NatsStatusInfo Status(string state, string? error = null, long? skew = 12) =>
        new() { State = state, Host = "ha", Space = "team", Urls = "nats://n1:4222", Server = "n1", LastError = error, ClockSkewMs = skew, RemotePeers = 2 };

    [Fact]
    public void A_hub_without_nats_gets_no_nats_checks() => Assert.Empty(NatsChecks.Run(null));

    [Fact]
    public void A_joined_hub_with_a_close_clock_is_ok()
    {
        var checks = NatsChecks.Run(Status("joined"));
        Assert.Equal(["nats", "nats clock"], checks.Select(c => c.Name));
        Assert.All(checks, c => Assert.Equal(CheckStatus.Ok, c.Status));
        Assert.Equal("host ha joined space team via n1, 2 remote peer(s)", checks[0].Message);
        Assert.Equal("within 12 ms of the NATS server's clock", checks[1].Message);
    }

    [Fact]
    public void Refused_live_subjects_warn_and_name_the_permissions_to_add()
    {
        var status = Status("joined");
        status.LiveRefused = true;
        var check = NatsChecks.Run(status).Single(c => c.Name == "nats live");
        Assert.Equal(CheckStatus.Warn, check.Status);
        Assert.Contains("relay-live.team.*.*.ha", check.Fix, StringComparison.Ordinal);
        Assert.Contains("relay-live.team.ha.>", check.Fix, StringComparison.Ordinal);
        Assert.Contains("relay-ack.team.*.a.ha", check.Fix, StringComparison.Ordinal);
        Assert.Contains("relay-ack.team.ha.>", check.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(NatsChecks.Run(Status("joined")), c => c.Name == "nats live");
    }

    [Fact]
    public void Refused_credentials_fail_and_point_at_the_credential_options()
    {
        var check = NatsChecks.Run(Status("connecting", "Authorization Violation", skew: null))[0];
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("--nats-creds", check.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("can not start to connect nats server: tls://n1:4222: TLS authentication failed: net_ssl_io_cert_chain_validation, PartialChain")]
    [InlineData("can not start to connect nats server: tls://n1:4222: Socket has been closed.: net_io_decrypt: net_ssl_decrypt_failed, SSL_ERROR_SSL: error:0A000412:SSL routines::sslv3 alert bad certificate")]
    [InlineData("can not start to connect nats server: tls://n1:4222: Cryptography_UnknownKeyAlgorithm, 1.3.101.112")]
    public void A_failed_tls_handshake_fails_and_points_at_the_tls_options(string error)
    {
        var check = NatsChecks.Run(Status("connecting", error, skew: null))[0];
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Equal("host ha could not set up TLS with nats://n1:4222: " + error, check.Message);
        Assert.Contains("--nats-tls-ca", check.Fix, StringComparison.Ordinal);
        Assert.Contains("--nats-tls-cert", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_that_is_down_behind_a_tls_url_is_not_called_a_tls_problem()
    {
        var check = NatsChecks.Run(Status("connecting", "can not start to connect nats server: tls://n1:4222: Connection refused", skew: null))[0];
        Assert.StartsWith("host ha has not joined space team", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_publish_a_lost_link_and_a_skewed_clock_warn()
    {
        var checks = NatsChecks.Run(Status("disconnected", "Permissions Violation for Publish to \"relay.team.hb.ask.hb\"", skew: -4_500));
        Assert.Equal([("nats", CheckStatus.Warn), ("nats permissions", CheckStatus.Warn), ("nats clock", CheckStatus.Warn)], checks.Select(c => (c.Name, c.Status)));
        Assert.Contains("-4500 ms", checks[2].Message, StringComparison.Ordinal);
    }
}
