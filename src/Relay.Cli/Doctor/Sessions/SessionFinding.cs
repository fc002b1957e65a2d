namespace Relay.Cli.Doctor.Sessions;

/// <summary>One thing found about a session: ok, info or warn, with a fix when something is off.</summary>
internal sealed record SessionFinding(string Status, string Message, string? Fix = null);
