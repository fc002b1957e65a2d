namespace Relay.Hub.Nats;

/// <summary>One peer's presence in the space's bucket (key <c>&lt;host&gt;.&lt;name&gt;</c>), as JSON.</summary>
public sealed class PresenceRecord
{
    public required string Name { get; set; }

    public required string Host { get; set; }

    public string? Cwd { get; set; }

    public string? GitBranch { get; set; }

    public string? Kind { get; set; }

    public string? Delivery { get; set; }

    public int? Pid { get; set; }

    public DateTimeOffset ConnectedAt { get; set; }
}
