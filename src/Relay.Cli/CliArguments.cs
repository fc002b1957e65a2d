using System.CommandLine;

namespace Relay.Cli;

/// <summary>Options several peer commands share.</summary>
internal static class CliArguments
{
    public static Option<string?> As(string description) => new("--as")
    {
        Description = description,
        HelpName = "NAME",
    };

    public static Option<string?> Thread() => new("--thread")
    {
        Description = "Continue an existing thread (its thread_id); a new one is made when omitted",
        HelpName = "ID",
    };
}
