using Relay.Protocol.Messages;

namespace Relay.Hub;

/// <summary>
/// A Claude Code channel that left and may come back (its channel restarts, or its session is resumed): the departed
/// connection itself stays behind as <see cref="Ghost"/>, and its <see cref="IPeer.AsksTo"/> keeps every ask waiting
/// for the return — the ones it had been sent and the ones that arrived while it was away — with their own timers.
/// </summary>
internal sealed class AwayPeer
{
    public AwayPeer(IPeer ghost, DateTimeOffset leftAt, TimeSpan window)
    {
        Ghost = ghost;
        Name = ghost.Name!;
        SessionId = ghost.SessionId;
        LeftAt = leftAt;
        Window = window;
    }

    /// <summary>The departed connection (<see cref="IPeer.Departed"/> is true; it is in no registry).</summary>
    public IPeer Ghost { get; }

    /// <summary>The name it had when it left: asks to this name wait here while no live peer holds it.</summary>
    public string Name { get; }

    /// <summary>Its Claude Code session id: a registration with the same one is its return.</summary>
    public string? SessionId { get; }

    public DateTimeOffset LeftAt { get; }

    /// <summary>How long it is waited for.</summary>
    public TimeSpan Window { get; }

    public DateTimeOffset Until => LeftAt + Window;

    /// <summary>Fires at <see cref="Until"/>: whatever still waits ends with <c>peer_gone</c>.</summary>
    public ITimer? Timer { get; set; }

    /// <summary>False once it came back or its window ended.</summary>
    public bool Open { get; set; } = true;

    /// <summary>Held questions (asks to be sent on the return) and their UTF-8 bytes.</summary>
    public int HeldAsks { get; set; }

    public long HeldBytes { get; set; }

    /// <summary>
    /// Endings of its own asks (replies, errors) that came while it was away, in order: they go to it on its return.
    /// A reply's text counts in <see cref="HeldBytes"/>.
    /// </summary>
    public List<ServerMessage> Endings { get; } = [];

    /// <summary>Reply text bytes among <see cref="Endings"/> (part of <see cref="HeldBytes"/>).</summary>
    public long EndingBytes { get; set; }
}
