using System.CommandLine;

namespace Relay.Cli;

/// <summary>
/// The one place every role of the executable (hub, channel, CLI commands) refuses an unsafe data dir
/// (<see cref="Relay.Runtime.DataDirSafety"/>) before it touches the socket or the logs. <c>relay doctor</c> is let through: it
/// reports the problem with its fix instead. Help and usage errors are let through too.
/// </summary>
internal static class DataDirGate
{
    private const string ReportingCommand = "doctor";

    /// <summary>Null when the command may run; otherwise the exit code after printing why on stderr.</summary>
    public static int? Refuse(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (parse.Errors.Count > 0 || command is RootCommand || command.Name == ReportingCommand || !ReferenceEquals(parse.Action, command.Action))
        {
            return null;
        }

        if (CliOptions.ResolveDataDir(parse).SafetyProblem() is not { } problem)
        {
            return null;
        }

        Console.Error.WriteLine("relay: refusing an unsafe data dir: " + problem);
        return ExitCodes.UnsafeDataDir;
    }
}
