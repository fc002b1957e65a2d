namespace Relay.Cli.Doctor;

/// <summary>The outcome of one check. <c>fail</c> makes <c>relay doctor</c> exit 1; <c>warn</c> and <c>info</c> do not.</summary>
internal static class CheckStatus
{
    public const string Ok = "ok";
    public const string Info = "info";
    public const string Warn = "warn";
    public const string Fail = "fail";
}

/// <summary>One line of the doctor's report, with a one-line fix when something is off.</summary>
internal sealed class DoctorCheck
{
    public required string Name { get; init; }
    public required string Status { get; init; }
    public required string Message { get; init; }
    public string? Fix { get; init; }
    /// <summary>The processes the check is about (orphaned <c>relay mcp</c>, a hub), so scripts need not parse messages.</summary>
    public IReadOnlyList<int>? Pids { get; init; }
    /// <summary>For a <c>session …</c> check: how relay reaches that Claude Code session, and what holds or refuses asks.</summary>
    public Sessions.SessionReport? Session { get; init; }

    public static DoctorCheck Ok(string name, string message) => new() { Name = name, Status = CheckStatus.Ok, Message = message };

    public static DoctorCheck Info(string name, string message, string? fix = null) => new() { Name = name, Status = CheckStatus.Info, Message = message, Fix = fix };

    public static DoctorCheck Warn(string name, string message, string? fix = null) => new() { Name = name, Status = CheckStatus.Warn, Message = message, Fix = fix };

    public static DoctorCheck Fail(string name, string message, string? fix = null) => new() { Name = name, Status = CheckStatus.Fail, Message = message, Fix = fix };
}

/// <summary><c>relay doctor --json</c>.</summary>
internal sealed class DoctorReport
{
    public required bool Ok { get; init; }
    public required string DataDir { get; init; }
    public required string Source { get; init; }
    public required string Socket { get; init; }
    public required IReadOnlyList<DoctorCheck> Checks { get; init; }
}
