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
root.Subcommands.Add(HookCommand.Create());

var parse = root.Parse(args);
// Usage errors (missing argument, unknown option, bad value) as one `relay: bad_args: ...` line each, exit 9.
if (args.Length > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
{
    return CliRunner.ReportUsageErrors(parse);
}

// A group/world-writable or foreign data dir is refused by every role, before anything touches the socket.
if (DataDirGate.Refuse(parse) is { } refused)
{
    return refused;
}

return await parse.InvokeAsync().ConfigureAwait(false);
