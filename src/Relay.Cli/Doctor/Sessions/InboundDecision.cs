namespace Relay.Cli.Doctor.Sessions;

/// <summary>The effective <c>crossSessionInbound</c> and the layer that decided it.</summary>
/// <param name="Value">accept, hold or refuse; null when no source sets it.</param>
/// <param name="DecidedBy">The layer whose value won.</param>
/// <param name="InvalidIn">Set when the value is <c>hold</c> only because a file holds an unrecognised value.</param>
internal sealed record InboundDecision(string? Value, SettingsLayer? DecidedBy, SettingsLayer? InvalidIn = null);
