using System.CommandLine;
using Relay.Protocol;
using Relay.Runtime.Client;

namespace Relay.Cli;

/// <summary>Runs a command body and maps the failures people meet to one stderr line and an exit code.</summary>
internal static class CliRunner
{
    public static void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(CliOptions.Json);
            try
            {
                return await body(parse, cancellationToken);
            }
            catch (CliError error)
            {
                return Fail(error, json);
            }
            catch (MessageTooLargeException ex)
            {
                return Fail(CliError.BadArgs(ex.Message), json);
            }
            catch (HubUnreachableException ex)
            {
                return Fail(CliError.HubUnreachable(CliOptions.ResolveDataDir(parse), ex), json);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }
            catch (IOException ex)
            {
                // E.g. stdout closed by `relay watch | head -3`: one line, not a stack trace.
                WriteError(ErrorCodes.Unexpected, ex.Message);
                return ExitCodes.Failure;
            }
        });
    }

    /// <summary>Reports <paramref name="error"/> on stderr (and as a JSON object on stdout with <c>--json</c>).</summary>
    public static int Fail(CliError error, bool json)
    {
        if (json)
        {
            CliJson.WriteLine(new ErrorOutput { Code = error.Code, Message = error.Message, AskId = error.AskId }, CliJson.Context.ErrorOutput);
        }

        WriteError(error.Code, error.Message);
        if (error.Hint is { } hint)
        {
            Console.Error.WriteLine(hint);
        }

        return error.ExitCode;
    }

    /// <summary>Prints System.CommandLine's parse errors in the CLI's error format, with a pointer to --help.</summary>
    public static int ReportUsageErrors(ParseResult parse)
    {
        foreach (var error in parse.Errors)
        {
            WriteError(ErrorCodes.BadArgs, error.Message);
        }

        var path = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            path.Insert(0, result.Command.Name);
        }

        path[0] = "relay";
        Console.Error.WriteLine($"hint: `{string.Join(' ', path)} --help` shows the usage");
        return ExitCodes.BadArgs;
    }

    public static void WriteError(string code, string message) => Console.Error.WriteLine($"relay: {code}: {OneLine(message)}");

    public static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>The code a hub <c>err</c> becomes: a CliError carrying the hub's code and message.</summary>
    public static CliError FromErr(Protocol.Messages.ErrMessage err) => err.Code switch
    {
        ErrorCodes.ProtocolMismatch => new CliError(err.Code, err.Message, "hint: the hub runs another relay version; `relay hub restart` starts a matching one"),
        _ => new CliError(err.Code, err.Message),
    };
}
