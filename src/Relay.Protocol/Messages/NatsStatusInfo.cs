namespace Relay.Protocol.Messages;

/// <summary>
/// The <c>nats</c> part of <c>hub_status_reply</c>, present when the hub runs with <c>--nats</c>: whether it has
/// joined its space, through which server, the last error the server or the client reported (bad credentials,
/// permissions), how far this machine's clock is from the server's, and how envelopes to other hosts went (live or
/// through the stream).
/// </summary>
public sealed class NatsStatusInfo
{
    /// <summary><c>connecting</c> (not joined yet), <c>joined</c>, or <c>disconnected</c> (joined before, link lost).</summary>
    public required string State { get; set; }

    public required string Host { get; set; }

    public required string Space { get; set; }

    /// <summary>The configured server URLs.</summary>
    public required string Urls { get; set; }

    /// <summary>The server the connection is open to, if any.</summary>
    public string? Server { get; set; }

    /// <summary>The last error seen (connect, join, or a server <c>-ERR</c> such as an authorization violation).</summary>
    public string? LastError { get; set; }

    /// <summary>This hub's clock minus the NATS server's, from its own presence heartbeat (transit time included).</summary>
    public long? ClockSkewMs { get; set; }

    /// <summary>Peers of other hosts currently known.</summary>
    public int RemotePeers { get; set; }

    /// <summary>How long an envelope sent live waits for the other hub before it goes through the stream; 0 = live sending off.</summary>
    public long LiveTimeoutMs { get; set; }

    /// <summary>The server refused this hub's live subjects (older permissions): everything goes through the stream.</summary>
    public bool LiveRefused { get; set; }

    /// <summary>Envelopes to other hosts that their hub took live.</summary>
    public long SentLive { get; set; }

    /// <summary>Envelopes to other hosts stored in the stream (the other hub did not take them live, or live is off).</summary>
    public long SentDurable { get; set; }
}
