namespace Relay.Hub.Nats;

/// <summary>
/// What one hub sends another through the space's stream, as JSON on <c>relay.&lt;space&gt;.&lt;host&gt;.&lt;type&gt;</c>.
/// An <c>ask</c> goes to the target's host; <c>reply</c>, <c>status</c> and <c>end</c> go back to the asker's host
/// and name the ask by <see cref="Target"/> (the target's address as the asking hub knows it) and <see cref="AskId"/>.
/// </summary>
public sealed class BridgeEnvelope
{
    public const string AskType = "ask";
    public const string ReplyType = "reply";
    public const string StatusType = "status";
    public const string EndType = "end";

    public required string Type { get; set; }

    /// <summary>The host that sent this envelope.</summary>
    public required string FromHost { get; set; }

    public required string AskId { get; set; }

    /// <summary>The target's <c>name@host</c> as the asking hub addressed it.</summary>
    public required string Target { get; set; }

    /// <summary>ask: the asker's name on its host.</summary>
    public string? From { get; set; }

    /// <summary>ask: the target's name on the receiving host.</summary>
    public string? To { get; set; }

    public string? ThreadId { get; set; }

    public string? BroadcastId { get; set; }

    public string? Question { get; set; }

    public long? TimeoutMs { get; set; }

    /// <summary>ask: sender's clock when it was sent (Unix ms), so an ask held past its timeout is not delivered.</summary>
    public long? SentAtMs { get; set; }

    public string? Text { get; set; }

    /// <summary>end: the error code that ended the ask on the target's host.</summary>
    public string? Code { get; set; }

    public string? Message { get; set; }

    public string? Status { get; set; }

    public string? Detail { get; set; }
}
