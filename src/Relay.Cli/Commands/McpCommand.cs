using System.CommandLine;
using Relay.Channels;

namespace Relay.Cli.Commands;

/// <summary><c>relay mcp</c>: the per-session MCP stdio channel Claude Code starts.</summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var command = new Command("mcp", "Run the MCP stdio channel for one Claude Code session (stdout carries JSON-RPC only)");
        command.SetAction((parse, cancellationToken) =>
        {
            InlineSocketCompletions.Enable();
            return ChannelServer.RunAsync(CliOptions.ResolveDataDir(parse), cancellationToken);
        });
        return command;
    }
}
