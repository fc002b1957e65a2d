using System.CommandLine;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Cli.Commands;

/// <summary><c>relay ask PEER QUESTION</c>: ask one peer and print its reply.</summary>
internal static class AskCommand
{
    /// <summary>Extra time the CLI waits past the ask's timeout, so the hub's own timeout error arrives first.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var peerArgument = new Argument<string>("peer") { Description = "The peer to ask (see `relay peers`)" };
        var questionArgument = new Argument<string>("question") { Description = "The question; '-' reads it from stdin" };
        var timeout = new Option<string>("--timeout")
        {
            Description = "How long to wait for the reply (e.g. 90s, 5m)",
            DefaultValueFactory = _ => "120s",
            HelpName = "DURATION",
        };
        var thread = CliArguments.Thread();
        var asName = CliArguments.As("Join under this peer name instead of cli-<user>");
        var command = new Command("ask", "Ask one peer a question and print its reply (does not start a hub)")
        {
            peerArgument, questionArgument, timeout, thread, asName, CliOptions.Json,
        };
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            var json = parse.GetValue(CliOptions.Json);
            var to = parse.GetValue(peerArgument)!;
            var wait = CliDurations.Parse("--timeout", parse.GetValue(timeout)!);
            var question = await TextArgument.ReadAsync("question", parse.GetValue(questionArgument), cancellationToken);

            // No hub means no peer could answer: report that instead of starting an empty hub.
            await using var peer = await CliPeer.JoinAsync(dataDir, parse.GetValue(asName), spawn: false, cancellationToken);
            var askId = RandomIds.New("a");
            var answer = await peer.RequestAsync(new AskMessage
            {
                To = to,
                Question = question,
                AskId = askId,
                ThreadId = parse.GetValue(thread),
                TimeoutMs = (long)wait.TotalMilliseconds,
            }, cancellationToken);
            if (answer is ErrMessage refused)
            {
                throw AskError(refused, to, askId);
            }

            var reply = await WaitForReplyAsync(peer, askId, to, wait + Grace, cancellationToken);
            if (json)
            {
                CliJson.WriteLine(new AskOutput { From = reply.From, Text = reply.Text, AskId = askId, ThreadId = reply.ThreadId }, CliJson.Context.AskOutput);
            }
            else
            {
                Console.Out.Write(reply.Text.EndsWith('\n') ? reply.Text : reply.Text + "\n");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<IncomingReplyMessage> WaitForReplyAsync(CliPeer peer, string askId, string to, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        try
        {
            await foreach (var message in peer.Inbox.ReadAllAsync(deadline.Token))
            {
                switch (message)
                {
                    case IncomingReplyMessage reply when reply.AskId == askId:
                        return reply;
                    case ErrMessage err when err.AskId == askId:
                        throw AskError(err, to, askId);
                    case IncomingAskMessage incoming:
                        // A short-lived asker cannot answer; say so rather than leave the other side waiting.
                        await peer.Hub.SendAsync(new ReplyMessage { AskId = incoming.AskId, Text = $"({peer.Name} is a one-shot `relay ask` and cannot answer)" }, cancellationToken);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliError(ErrorCodes.Timeout, $"no reply from '{to}' within {Durations.Format(wait - Grace)}") { AskId = askId };
        }

        throw new Protocol.Client.HubUnreachableException("the hub closed the connection before the reply arrived");
    }

    private static CliError AskError(ErrMessage err, string to, string askId) => err.Code switch
    {
        ErrorCodes.PeerNotFound => new CliError(err.Code, $"no peer named '{to}'", "hint: `relay peers` lists who is online") { AskId = askId },
        ErrorCodes.PeerGone => new CliError(err.Code, $"'{to}' left before replying") { AskId = askId },
        ErrorCodes.Timeout => new CliError(err.Code, $"'{to}' did not reply in time") { AskId = askId },
        _ => new CliError(err.Code, err.Message) { AskId = askId },
    };
}
