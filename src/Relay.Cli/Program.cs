using System.CommandLine;
using Relay.Cli;
using Relay.Cli.Commands;

var root = new RootCommand("relay: let local Claude Code sessions, terminals and scripts talk to each other.")
{
    CliOptions.DataDir,
};

// One line per command; each command lives in Commands/<Name>Command.cs.
root.Subcommands.Add(HubCommand.Create());
root.Subcommands.Add(McpCommand.Create());
root.Subcommands.Add(PeersCommand.Create());
root.Subcommands.Add(AskCommand.Create());
root.Subcommands.Add(BroadcastCommand.Create());
root.Subcommands.Add(ListenCommand.Create());
root.Subcommands.Add(ReplyCommand.Create());
root.Subcommands.Add(WatchCommand.Create());
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(LogsCommand.Create());

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
