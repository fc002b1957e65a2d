namespace Relay.Cli.Listen;

/// <summary>One ask a <c>relay listen</c> process holds, as written to <c>&lt;data dir&gt;/listen/&lt;ask_id&gt;.json</c>.</summary>
internal sealed class HeldAsk
{
    public required string AskId { get; init; }
    /// <summary>The peer name of the listener: <c>relay reply</c> sends <c>on_behalf_of</c> this name.</summary>
    public required string Listener { get; init; }
    public required int ListenerPid { get; init; }
    public required string From { get; init; }
    public required string ThreadId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}
