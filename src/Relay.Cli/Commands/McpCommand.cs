using System.CommandLine;

namespace Relay.Cli.Commands;

/// <summary><c>relay mcp</c>: the per-session MCP stdio channel Claude Code starts.</summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var command = new Command("mcp", "Run the MCP stdio channel for one Claude Code session");
        command.SetAction(_ => 1);
        return command;
    }
}
