namespace Relay.Hub.Nats;

/// <summary>
/// <c>&lt;data dir&gt;/nats.json</c>: the same settings as the <c>relay hub</c> options, for hubs that clients start
/// on demand. Example: <c>{"urls":["nats://10.0.0.5:4222"],"host":"laptop","space":"team","creds_file":"/home/me/relay.creds"}</c>.
/// </summary>
public sealed class NatsConfigFile
{
    public List<string>? Urls { get; set; }

    public string? Host { get; set; }

    public string? Space { get; set; }

    public string? User { get; set; }

    public string? Password { get; set; }

    public string? Token { get; set; }

    public string? CredsFile { get; set; }

    public string? NkeyFile { get; set; }

    public string? TlsCa { get; set; }

    public string? TlsCert { get; set; }

    public string? TlsKey { get; set; }

    public long? PresenceTtlMs { get; set; }

    public int? Replicas { get; set; }

    public long? LiveTimeoutMs { get; set; }
}
