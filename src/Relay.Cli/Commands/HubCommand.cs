using System.CommandLine;

namespace Relay.Cli.Commands;

/// <summary><c>relay hub</c>: runs the hub daemon (owned by the hub work; this file is its entry point).</summary>
internal static class HubCommand
{
    public static Command Create()
    {
        var command = new Command("hub", "Run the hub daemon that routes messages between peers");
        command.SetAction(_ => 1);
        return command;
    }
}
