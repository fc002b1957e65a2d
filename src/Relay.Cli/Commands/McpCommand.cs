using System.CommandLine;
using Relay.Channels;

namespace Relay.Cli.Commands;

/// <summary><c>relay mcp</c>: the per-session MCP stdio channel Claude Code starts.</summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var delivery = new Option<string>("--delivery")
        {
            Description = "How incoming messages reach the session: auto (default), inbox, channel or pull (also RELAY_DELIVERY)",
            HelpName = "PATH",
        };
        delivery.AcceptOnlyFromAmong("auto", "inbox", "channel", "pull");
        var command = new Command("mcp", "Run the MCP stdio channel for one Claude Code session (stdout carries JSON-RPC only)") { delivery };
        command.SetAction((parse, cancellationToken) =>
        {
            InlineSocketCompletions.Enable();
            return ChannelServer.RunAsync(CliOptions.ResolveDataDir(parse), parse.GetValue(delivery), cancellationToken);
        });
        return command;
    }
}
