using System.CommandLine;
using Relay.Cli.Listen;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Cli.Commands;

/// <summary>
/// <c>relay reply ASK_ID TEXT</c>: answer an ask held by a <c>relay listen</c> process, from any terminal. Joins as a
/// short-lived peer and sends <c>reply{on_behalf_of: listener}</c>; the listener's name comes from <c>--as</c> or from
/// the file the listener wrote for that ask.
/// </summary>
internal static class ReplyCommand
{
    public static Command Create()
    {
        var askIdArgument = new Argument<string>("ask_id") { Description = "The ask to answer, as `relay listen` printed it" };
        var textArgument = new Argument<string>("text") { Description = "The reply; '-' reads it from stdin" };
        var asName = CliArguments.As("The name of the `relay listen` peer that holds the ask (default: looked up in <data dir>/listen/)");
        var command = new Command("reply", "Answer an ask held by `relay listen`, from this or another terminal (does not start a hub)")
        {
            askIdArgument, textArgument, asName, CliOptions.Json,
        };
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            var askId = parse.GetValue(askIdArgument)!;
            var listener = parse.GetValue(asName);
            if (listener is not null && !PeerNames.IsValid(listener))
            {
                throw CliError.BadArgs($"--as: '{listener}' is not a valid peer name");
            }

            listener ??= ListenState.Find(dataDir, askId)?.Listener ?? throw new CliError(
                ErrorCodes.UnknownAsk,
                $"no `relay listen` process holds ask '{askId}'",
                $"hint: it was answered, timed out, or its listener exited; name the listener with --as NAME if it uses another data dir than {dataDir.Path}")
            { AskId = askId };
            var text = await TextArgument.ReadAsync("reply", parse.GetValue(textArgument), cancellationToken);

            await using var peer = await CliPeer.JoinAsync(dataDir, exactName: null, spawn: false, cancellationToken);
            var answer = await peer.RequestAsync(new ReplyMessage { AskId = askId, Text = text, OnBehalfOf = listener }, cancellationToken);
            switch (answer)
            {
                case ErrMessage { Code: ErrorCodes.UnknownAsk }:
                    ListenState.Delete(dataDir, askId);
                    throw new CliError(ErrorCodes.UnknownAsk, $"the hub has no open ask '{askId}' for '{listener}'", "hint: it was already answered or timed out") { AskId = askId };
                case ErrMessage err:
                    throw CliRunner.FromErr(err);
            }

            ListenState.Delete(dataDir, askId);
            if (parse.GetValue(CliOptions.Json))
            {
                CliJson.WriteLine(new ReplyOutput { AskId = askId, OnBehalfOf = listener }, CliJson.Context.ReplyOutput);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
