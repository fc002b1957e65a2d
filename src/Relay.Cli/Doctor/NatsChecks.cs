using System.Globalization;
using Relay.Protocol.Messages;

namespace Relay.Cli.Doctor;

/// <summary>
/// Checks on a hub that runs with <c>--nats</c>, from the <c>nats</c> part of its <c>hub_status_reply</c>: the
/// connection and credentials, the space, whether the live path is allowed, and this machine's clock against the NATS
/// server's.
/// </summary>
internal static class NatsChecks
{
    /// <summary>Past this much skew presence expiry is off by a noticeable part of its TTL.</summary>
    private const long MaxSkewMs = 2_000;

    public static IReadOnlyList<DoctorCheck> Run(NatsStatusInfo? nats)
    {
        if (nats is null)
        {
            return [];
        }

        var error = nats.LastError is { Length: > 0 } e ? e : null;
        var credentials = error is not null && error.Contains("Authorization", StringComparison.OrdinalIgnoreCase);
        var tls = error is not null && IsTlsError(error);
        var checks = new List<DoctorCheck>();
        switch (nats.State)
        {
            case "joined":
                checks.Add(DoctorCheck.Ok("nats", $"host {nats.Host} joined space {nats.Space} via {nats.Server ?? nats.Urls}, {nats.RemotePeers} remote peer(s)"));
                break;
            case "disconnected":
                checks.Add(DoctorCheck.Warn("nats", $"host {nats.Host} lost its link to {nats.Urls} ({error ?? "reconnecting"}); local routing goes on, remote peers expire", $"check that {nats.Urls} is reachable from this machine"));
                break;
            default:
                checks.Add(tls
                    ? DoctorCheck.Fail("nats", $"host {nats.Host} could not set up TLS with {nats.Urls}: {error}", "--nats-tls-ca must name the CA file that signed the server's certificate; a server that verifies clients (verify: true) also needs --nats-tls-cert and --nats-tls-key, an ECDSA or RSA key (docs/across-machines.md)")
                    : credentials
                    ? DoctorCheck.Fail("nats", $"the NATS server refused this hub's credentials: {error}", "check --nats-user/--nats-password, --nats-token, --nats-creds or --nats-nkey (docs/across-machines.md)")
                    : DoctorCheck.Fail("nats", $"host {nats.Host} has not joined space {nats.Space} at {nats.Urls}: {error ?? "still connecting"}", "check that nats-server runs there with JetStream (-js) and is reachable"));
                break;
        }

        if (error is not null && error.Contains("Permissions Violation", StringComparison.OrdinalIgnoreCase))
        {
            checks.Add(DoctorCheck.Warn("nats permissions", $"the server refused a publish or subscription: {error}", $"give user of host {nats.Host} the permissions of docs/across-machines.md (space {nats.Space})"));
        }

        if (nats.LiveRefused)
        {
            checks.Add(DoctorCheck.Warn("nats live", $"the server refuses host {nats.Host}'s live subjects, so every envelope to another host goes through the stream (slower, same delivery)", $"allow user of host {nats.Host} to publish relay-live.{nats.Space}.*.*.{nats.Host} and relay-ack.{nats.Space}.*.a.{nats.Host}, and to subscribe to relay-live.{nats.Space}.{nats.Host}.> and relay-ack.{nats.Space}.{nats.Host}.> (docs/across-machines.md)"));
        }

        if (nats.ClockSkewMs is not { } skew)
        {
            checks.Add(DoctorCheck.Info("nats clock", "no heartbeat seen yet to compare clocks"));
        }
        else if (Math.Abs(skew) > MaxSkewMs)
        {
            checks.Add(DoctorCheck.Warn("nats clock", $"this machine's clock is {skew.ToString(CultureInfo.InvariantCulture)} ms off the NATS server's; presence expiry assumes they agree", "enable time sync (e.g. timedatectl set-ntp true)"));
        }
        else
        {
            checks.Add(DoctorCheck.Ok("nats clock", $"within {Math.Abs(skew).ToString(CultureInfo.InvariantCulture)} ms of the NATS server's clock"));
        }

        return checks;
    }

    /// <summary>
    /// The handshake's own words (the binary keeps .NET's resource keys, not their English text): an untrusted server
    /// certificate, a client certificate the server refused or lacked, a key .NET cannot load.
    /// </summary>
    private static bool IsTlsError(string error) =>
        error.Contains("TLS", StringComparison.Ordinal)
        || error.Contains("SSL", StringComparison.Ordinal)
        || error.Contains("certificate", StringComparison.OrdinalIgnoreCase)
        || error.Contains("Cryptography_", StringComparison.Ordinal);
}
