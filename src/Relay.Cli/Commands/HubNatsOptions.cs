using System.CommandLine;
using Relay.Hub.Nats;

namespace Relay.Cli.Commands;

/// <summary>The <c>relay hub</c> options that join the hub to a NATS space (each also from RELAY_* or nats.json).</summary>
internal static class HubNatsOptions
{
    private static readonly Option<string?> Urls = new("--nats") { Description = "NATS server URL(s), comma-separated, to reach peers of other hosts (or $RELAY_NATS_URL, or nats.json in the data dir)" };
    private static readonly Option<string?> Host = new("--host") { Description = "This hub's host name in the space (default: the machine's hostname; $RELAY_HOST)" };
    private static readonly Option<string?> Space = new("--space") { Description = "The relay space to join (default: default; $RELAY_SPACE)" };
    private static readonly Option<string?> User = new("--nats-user") { Description = "NATS user ($RELAY_NATS_USER)" };
    private static readonly Option<string?> Password = new("--nats-password") { Description = "NATS password ($RELAY_NATS_PASSWORD)" };
    private static readonly Option<string?> Token = new("--nats-token") { Description = "NATS token ($RELAY_NATS_TOKEN)" };
    private static readonly Option<string?> Creds = new("--nats-creds") { Description = "NATS credentials file, JWT and NKey seed ($RELAY_NATS_CREDS)" };
    private static readonly Option<string?> NKey = new("--nats-nkey") { Description = "NATS NKey seed file ($RELAY_NATS_NKEY)" };
    private static readonly Option<string?> TlsCa = new("--nats-tls-ca") { Description = "CA certificate file for the NATS servers ($RELAY_NATS_TLS_CA)" };
    private static readonly Option<string?> TlsCert = new("--nats-tls-cert") { Description = "Client certificate file for NATS ($RELAY_NATS_TLS_CERT)" };
    private static readonly Option<string?> TlsKey = new("--nats-tls-key") { Description = "Client key file for NATS ($RELAY_NATS_TLS_KEY)" };

    private static readonly Option<int?> Replicas = new("--nats-replicas") { Description = "JetStream replicas of the space's stream and presence bucket, 1-5 (default 1; 3 on a 3-node cluster; $RELAY_NATS_REPLICAS)" };

    public static void AddTo(Command command)
    {
        foreach (var option in new[] { Urls, Host, Space, User, Password, Token, Creds, NKey, TlsCa, TlsCert, TlsKey })
        {
            command.Options.Add(option);
        }

        command.Options.Add(Replicas);
    }

    /// <summary>The settings from these options, the environment and nats.json; null when no URL is configured.</summary>
    public static NatsSettings? Resolve(ParseResult parse, string dataDir) =>
        NatsSettingsLoader.Load(
            new NatsConfigFile
            {
                Urls = parse.GetValue(Urls) is { } urls ? [.. urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null,
                Host = parse.GetValue(Host),
                Space = parse.GetValue(Space),
                User = parse.GetValue(User),
                Password = parse.GetValue(Password),
                Token = parse.GetValue(Token),
                CredsFile = parse.GetValue(Creds),
                NkeyFile = parse.GetValue(NKey),
                TlsCa = parse.GetValue(TlsCa),
                TlsCert = parse.GetValue(TlsCert),
                TlsKey = parse.GetValue(TlsKey),
                Replicas = parse.GetValue(Replicas),
            },
            dataDir);
}
