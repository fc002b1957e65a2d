using NATS.Client.Core;

namespace Relay.Hub.Nats;

/// <summary>
/// How this hub joins a relay space on NATS: the servers, this hub's host name and space, credentials and TLS.
/// Built by <see cref="NatsSettingsLoader"/> from the command line, the environment and <c>nats.json</c>.
/// </summary>
public sealed record NatsSettings
{
    /// <summary>Default presence time to live: a peer whose record was not refreshed for this long is gone.</summary>
    public static readonly TimeSpan DefaultPresenceTtl = TimeSpan.FromSeconds(15);

    /// <summary>Default wait for the target hub to take an envelope sent live before it goes through the stream.</summary>
    public static readonly TimeSpan DefaultLiveTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Server URLs (<c>nats://host:4222</c>, <c>tls://…</c>), tried in turn.</summary>
    public required IReadOnlyList<string> Urls { get; init; }

    /// <summary>This hub's host name in the space (<see cref="NatsNames.IsValidToken"/>).</summary>
    public required string Host { get; init; }

    /// <summary>The relay space: one stream and one presence bucket per space.</summary>
    public string Space { get; init; } = NatsNames.DefaultSpace;

    public string? User { get; init; }

    public string? Password { get; init; }

    public string? Token { get; init; }

    /// <summary>A <c>.creds</c> file (JWT and NKey seed), as NATS accounts issue them.</summary>
    public string? CredsFile { get; init; }

    /// <summary>A file holding an NKey seed.</summary>
    public string? NKeyFile { get; init; }

    public string? TlsCaFile { get; init; }

    public string? TlsCertFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary>JetStream replicas of the space's stream and bucket (3 on a 3-node cluster survives losing a node).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>How long a peer's presence lives without a heartbeat; heartbeats go every third of it.</summary>
    public TimeSpan PresenceTtl { get; init; } = DefaultPresenceTtl;

    /// <summary>
    /// How long an envelope sent live (core NATS request to the target hub) waits for that hub to take it; after that,
    /// or at once when no hub of that host listens, it goes through the space's stream, the durable inbox. Zero sends
    /// everything through the stream.
    /// </summary>
    public TimeSpan LiveTimeout { get; init; } = DefaultLiveTimeout;

    /// <summary>The client options for NATS.Net (raw byte serialization only: nothing here reflects).</summary>
    public NatsOpts ToNatsOpts()
    {
        var auth = NatsAuthOpts.Default with
        {
            Username = User,
            Password = Password,
            Token = Token,
            CredsFile = CredsFile,
            NKeyFile = NKeyFile,
        };
        var tls = NatsTlsOpts.Default;
        if (TlsCaFile is not null || TlsCertFile is not null || TlsKeyFile is not null)
        {
            tls = tls with { CaFile = TlsCaFile, CertFile = TlsCertFile, KeyFile = TlsKeyFile };
        }

        return NatsOpts.Default with
        {
            Url = string.Join(',', Urls),
            Name = "relay-hub " + Host,
            AuthOpts = auth,
            TlsOpts = tls,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(3),
            RequestTimeout = TimeSpan.FromSeconds(5),
            // A link that died silently is noticed within about ten seconds, then reconnects.
            PingInterval = TimeSpan.FromSeconds(5),
            MaxPingOut = 2,
        };
    }

    /// <summary>For logs: everything but secrets.</summary>
    public override string ToString() =>
        $"urls={string.Join(',', Urls)} host={Host} space={Space} auth={(CredsFile is not null ? "creds" : NKeyFile is not null ? "nkey" : Token is not null ? "token" : User is not null ? "user" : "none")} tls={(TlsCaFile is not null || TlsCertFile is not null ? "files" : "auto")} live_timeout_ms={(long)LiveTimeout.TotalMilliseconds}";
}
