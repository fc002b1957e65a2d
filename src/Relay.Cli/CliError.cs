using Relay.Protocol;
using Relay.Runtime;

namespace Relay.Cli;

/// <summary>
/// An expected failure of a command: printed as one stderr line <c>relay: &lt;code&gt;: &lt;message&gt;</c> and turned
/// into the exit code of <paramref name="code"/>. <paramref name="hint"/>, when given, follows on a second line.
/// </summary>
internal sealed class CliError(string code, string message, string? hint = null) : Exception(message)
{
    public string Code { get; } = code;

    public string? Hint { get; } = hint;

    /// <summary>The ask the failure is about, echoed in <c>--json</c> output.</summary>
    public string? AskId { get; init; }

    public int ExitCode => ExitCodes.ForCode(Code);

    public static CliError BadArgs(string message) => new(ErrorCodes.BadArgs, message);

    public static CliError HubUnreachable(DataDir dataDir, Exception? cause = null)
    {
        var socket = dataDir.SocketPath;
        var message = cause switch
        {
            null => $"no hub answers at {socket}",
            { InnerException: System.Net.Sockets.SocketException } when !File.Exists(socket) => $"no hub is running (no socket at {socket})",
            { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } } => $"nothing answers at {socket} (stale socket)",
            _ => $"{cause.Message} ({socket})",
        };
        return new CliError(ErrorCodes.HubUnreachable, message, "hint: the hub starts with the first Claude session (or `relay listen`); `relay doctor` explains what is wrong");
    }
}
