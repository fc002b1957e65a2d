using System.CommandLine;
using Relay.Runtime;

namespace Relay.Cli;

/// <summary>Options shared by several commands.</summary>
internal static class CliOptions
{
    /// <summary><c>--data-dir</c>: overrides $CLAUDE_PLUGIN_DATA and the default data dirs. Recursive: every command takes it.</summary>
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Data directory holding hub.sock and logs (default: $CLAUDE_PLUGIN_DATA, the installed plugin's data dir, or ~/.claude-relay)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Machine-readable JSON output",
    };

    public static DataDir ResolveDataDir(ParseResult parse) => Relay.Runtime.DataDir.Resolve(parse.GetValue(DataDir));
}
