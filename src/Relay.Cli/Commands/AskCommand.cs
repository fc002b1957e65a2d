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
        var timeout = new DurationOption("--timeout", "How long to wait for the reply (e.g. 90s, 5m)", "120s");
        var thread = CliArguments.Thread();
        var asName = CliArguments.As("Join under this peer name instead of cli-<user>");
        var command = new Command("ask", "Ask one peer a question and print its reply; progress (delivered, held, …) goes to stderr")
        {
            peerArgument, questionArgument, timeout, thread, asName, CliOptions.Json,
        };
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            var json = parse.GetValue(CliOptions.Json);
            var to = parse.GetValue(peerArgument)!;
            var wait = timeout.Read(parse)!.Value;
            var question = await TextArgument.ReadAsync("question", parse.GetValue(questionArgument), cancellationToken);

            // No hub and no Claude Code session means no peer could answer: report that instead of starting an empty hub.
            await using var peer = await CliPeer.JoinAsync(dataDir, parse.GetValue(asName), spawn: CliPeer.NativeSessionsRunning(), cancellationToken);
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

            var delivery = (answer as AckMessage)?.Delivery;
            Progress(json, new AskStatusMessage { AskId = askId, Status = AskStates.Sent, To = to, ThreadId = "", Delivery = delivery });
            var reply = await WaitForReplyAsync(peer, askId, to, json, wait + Grace, cancellationToken);
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

    private static async Task<IncomingReplyMessage> WaitForReplyAsync(CliPeer peer, string askId, string to, bool json, TimeSpan wait, CancellationToken cancellationToken)
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
                    case AskStatusMessage status when status.AskId == askId:
                        Progress(json, status);
                        break;
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

    /// <summary>
    /// Where the ask stands, as it changes: one stderr line each (stdout stays the reply alone). With --json the
    /// line is a JSON object, so scripts can follow the states too.
    /// </summary>
    private static void Progress(bool json, AskStatusMessage status)
    {
        var text = StatusText(status);
        Console.Error.WriteLine(json
            ? CliJson.Serialize(new AskProgressOutput { AskId = status.AskId, Status = status.Status, To = status.To, Delivery = status.Delivery, Text = text }, CliJson.Context.AskProgressOutput)
            : "relay: " + text);
    }

    private static string StatusText(AskStatusMessage status) => status.Status switch
    {
        AskStates.Sent => $"sent to {status.To}" + (status.Delivery is { } via ? $" ({DeliveryLabel(via)})" : ""),
        AskStates.Delivered => $"delivered to {status.To}'s session" + (status.Delivery is { } path ? $" ({DeliveryLabel(path)})" : ""),
        AskStates.Surfaced => $"{status.To}'s model has the question",
        AskStates.Held => $"held: {status.To}'s session parked the ask until its user approves it" + (status.Detail is { } d ? $" ({d})" : ""),
        AskStates.Waiting => $"waiting: {status.Detail ?? status.To + " is away"}; delivered if it comes back",
        _ => $"{status.Status}: {status.To}",
    };

    public static string DeliveryLabel(string delivery) => delivery switch
    {
        DeliveryPaths.Inbox => "native inbox",
        DeliveryPaths.Channel => "channel",
        DeliveryPaths.Pull => "waiting for the session to pull it with relay_inbox",
        DeliveryPaths.Socket => "terminal",
        _ => delivery,
    };

    private static CliError AskError(ErrMessage err, string to, string askId) => err.Code switch
    {
        ErrorCodes.PeerNotFound => new CliError(err.Code, $"no peer named '{to}'", "hint: `relay peers` lists who is online") { AskId = askId },
        ErrorCodes.PeerGone => new CliError(err.Code, $"'{to}' left before replying") { AskId = askId },
        ErrorCodes.Timeout => new CliError(err.Code, $"'{to}' did not reply in time") { AskId = askId },
        ErrorCodes.Refused => new CliError(err.Code, err.Message, "hint: that session's user set crossSessionInbound to refuse; ask them in person") { AskId = askId },
        ErrorCodes.Expired => new CliError(err.Code, err.Message, "hint: that session runs in bypass-permissions mode and holds messages until its user approves them") { AskId = askId },
        _ => new CliError(err.Code, err.Message) { AskId = askId },
    };
}
