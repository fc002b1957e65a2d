using System.Globalization;
using System.Text.Json;

namespace Relay.Hub.Nats;

/// <summary>
/// Resolves <see cref="NatsSettings"/>: each field from the command line, else the environment (<c>RELAY_NATS_*</c>,
/// <c>RELAY_HOST</c>, <c>RELAY_SPACE</c>), else <c>&lt;data dir&gt;/nats.json</c>. No URL anywhere means no NATS:
/// the hub stays local.
/// </summary>
public static class NatsSettingsLoader
{
    public const string FileName = "nats.json";
    public const string UrlVariable = "RELAY_NATS_URL";
    public const string HostVariable = "RELAY_HOST";
    public const string SpaceVariable = "RELAY_SPACE";
    public const string UserVariable = "RELAY_NATS_USER";
    public const string PasswordVariable = "RELAY_NATS_PASSWORD";
    public const string TokenVariable = "RELAY_NATS_TOKEN";
    public const string CredsVariable = "RELAY_NATS_CREDS";
    public const string NKeyVariable = "RELAY_NATS_NKEY";
    public const string TlsCaVariable = "RELAY_NATS_TLS_CA";
    public const string TlsCertVariable = "RELAY_NATS_TLS_CERT";
    public const string TlsKeyVariable = "RELAY_NATS_TLS_KEY";
    public const string PresenceTtlVariable = "RELAY_NATS_PRESENCE_TTL_MS";
    public const string ReplicasVariable = "RELAY_NATS_REPLICAS";
    public const string LiveTimeoutVariable = "RELAY_NATS_LIVE_TIMEOUT_MS";

    /// <summary>
    /// The settings, or null when no URL is configured. Throws <see cref="ArgumentException"/> (a message for the
    /// user) on an invalid host or space, and <see cref="InvalidDataException"/> on an unreadable <c>nats.json</c>.
    /// </summary>
    public static NatsSettings? Load(NatsConfigFile commandLine, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var file = ReadFile(Path.Combine(dataDir, FileName)) ?? new NatsConfigFile();
        var urlText = commandLine.Urls is { Count: > 0 } cliUrls ? string.Join(',', cliUrls) : Env(UrlVariable);
        var urls = urlText is not null
            ? urlText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : file.Urls ?? [];
        if (urls.Count == 0)
        {
            return null;
        }

        var host = commandLine.Host ?? Env(HostVariable) ?? file.Host ?? NatsNames.DefaultHost();
        var space = commandLine.Space ?? Env(SpaceVariable) ?? file.Space ?? NatsNames.DefaultSpace;
        if (!NatsNames.IsValidToken(host))
        {
            throw new ArgumentException($"invalid host name '{host}': use 1-64 characters of A-Z a-z 0-9 _ -");
        }

        if (!NatsNames.IsValidToken(space))
        {
            throw new ArgumentException($"invalid space name '{space}': use 1-64 characters of A-Z a-z 0-9 _ -");
        }

        var replicas = commandLine.Replicas ?? (int?)ParseLong(Env(ReplicasVariable)) ?? file.Replicas ?? 1;
        if (replicas is < 1 or > 5)
        {
            throw new ArgumentException($"invalid replica count {replicas}: use 1 to 5");
        }

        var ttlMs = commandLine.PresenceTtlMs ?? ParseLong(Env(PresenceTtlVariable)) ?? file.PresenceTtlMs;
        var liveMs = commandLine.LiveTimeoutMs ?? ParseLong(Env(LiveTimeoutVariable)) ?? file.LiveTimeoutMs;
        if (liveMs is < 0 or > 60_000)
        {
            throw new ArgumentException($"invalid live timeout {liveMs} ms: use 0 (always through the stream) to 60000");
        }

        return new NatsSettings
        {
            Urls = urls,
            Host = host,
            Space = space,
            User = commandLine.User ?? Env(UserVariable) ?? file.User,
            Password = commandLine.Password ?? Env(PasswordVariable) ?? file.Password,
            Token = commandLine.Token ?? Env(TokenVariable) ?? file.Token,
            CredsFile = commandLine.CredsFile ?? Env(CredsVariable) ?? file.CredsFile,
            NKeyFile = commandLine.NkeyFile ?? Env(NKeyVariable) ?? file.NkeyFile,
            TlsCaFile = commandLine.TlsCa ?? Env(TlsCaVariable) ?? file.TlsCa,
            TlsCertFile = commandLine.TlsCert ?? Env(TlsCertVariable) ?? file.TlsCert,
            TlsKeyFile = commandLine.TlsKey ?? Env(TlsKeyVariable) ?? file.TlsKey,
            Replicas = replicas,
            PresenceTtl = ttlMs is > 0 ? TimeSpan.FromMilliseconds(ttlMs.Value) : NatsSettings.DefaultPresenceTtl,
            LiveTimeout = liveMs is { } ms ? TimeSpan.FromMilliseconds(ms) : NatsSettings.DefaultLiveTimeout,
        };
    }

    private static NatsConfigFile? ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), NatsJsonContext.Default.NatsConfigFile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not valid: {ex.Message}", ex);
        }
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static long? ParseLong(string? text) =>
        text is not null && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
