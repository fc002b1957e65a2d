using System.CommandLine;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Cli.Commands;

/// <summary><c>relay ask PEER QUESTION</c>: ask one peer and print its reply.</summary>
internal static class AskCommand
{
    /// <summary>Extra time the CLI waits past the ask's timeout, so the hub's own timeout error arrives first.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>After a hub restart, how long the ask waits for its target to register with the new hub.</summary>
    private static readonly TimeSpan ReturnWait = TimeSpan.FromSeconds(20);

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
            var peer = await CliPeer.JoinAsync(dataDir, parse.GetValue(asName), spawn: CliPeer.NativeSessionsRunning(), cancellationToken);
            try
            {
                var askId = RandomIds.New("a");
                var ask = new AskMessage
                {
                    To = to,
                    Question = question,
                    AskId = askId,
                    ThreadId = parse.GetValue(thread),
                    TimeoutMs = (long)wait.TotalMilliseconds,
                };
                var deadline = DateTimeOffset.UtcNow + wait;
                var answer = await peer.RequestAsync(ask, cancellationToken);
                if (answer is ErrMessage refused)
                {
                    throw AskError(refused, to, askId);
                }

                var delivery = (answer as AckMessage)?.Delivery;
                ask.ThreadId ??= (answer as AckMessage)?.ThreadId;
                Progress(json, new AskStatusMessage { AskId = askId, Status = AskStates.Sent, To = to, ThreadId = "", Delivery = delivery });
                IncomingReplyMessage? reply;
                while ((reply = await WaitForReplyAsync(peer, askId, to, json, deadline - DateTimeOffset.UtcNow + Grace, wait, cancellationToken)) is null)
                {
                    // The hub went away (crash, restart): join the next hub and send the ask again with the time it has left.
                    Console.Error.WriteLine("relay: lost the hub; reconnecting to send the ask again");
                    var name = peer.Name;
                    await peer.DisposeAsync();
                    peer = await CliPeer.RejoinAsync(dataDir, parse.GetValue(asName), name, deadline, cancellationToken);
                    await ResubmitAsync(peer, ask, deadline, cancellationToken);
                }

                if (json)
                {
                    CliJson.WriteLine(new AskOutput { From = reply.From, Text = reply.Text, AskId = askId, ThreadId = reply.ThreadId }, CliJson.Context.AskOutput);
                }
                else
                {
                    Console.Out.Write(reply.Text.EndsWith('\n') ? reply.Text : reply.Text + "\n");
                }

                return ExitCodes.Ok;
            }
            finally
            {
                await peer.DisposeAsync();
            }
        });
        return command;
    }

    /// <summary>
    /// Sends the ask again to a new hub (same ids, <c>resubmit</c>, the time left). A target that has not registered
    /// with the new hub yet is retried for <see cref="ReturnWait"/>; then the ask ends as <c>peer_gone</c>.
    /// </summary>
    private static async Task ResubmitAsync(CliPeer peer, AskMessage ask, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var returnBy = DateTimeOffset.UtcNow + ReturnWait;
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new CliError(ErrorCodes.Timeout, $"'{ask.To}' did not reply in time (the hub restarted meanwhile)") { AskId = ask.AskId };
            }

            ask.TimeoutMs = Math.Max(1, (long)left.TotalMilliseconds);
            ask.Resubmit = true;
            var answer = await peer.RequestAsync(ask, cancellationToken);
            switch (answer)
            {
                case AckMessage:
                    return;
                case ErrMessage { Code: ErrorCodes.PeerNotFound or ErrorCodes.RateLimited } when DateTimeOffset.UtcNow < returnBy:
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                    continue;
                case ErrMessage { Code: ErrorCodes.PeerNotFound }:
                    throw new CliError(ErrorCodes.PeerGone, $"'{ask.To}' did not come back after the hub restarted") { AskId = ask.AskId };
                case ErrMessage err:
                    throw AskError(err, ask.To, ask.AskId);
            }
        }
    }

    /// <summary>The reply; null when the hub connection closed first (the caller joins the next hub and asks again).</summary>
    private static async Task<IncomingReplyMessage?> WaitForReplyAsync(CliPeer peer, string askId, string to, bool json, TimeSpan wait, TimeSpan asked, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
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
                        try
                        {
                            await peer.Hub.SendAsync(new ReplyMessage { AskId = incoming.AskId, Text = $"({peer.Name} is a one-shot `relay ask` and cannot answer)" }, cancellationToken);
                        }
                        catch (Relay.Runtime.Client.HubUnreachableException)
                        {
                            // The hub just went away; the loop ends with the inbox and the ask is sent again.
                        }

                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliError(ErrorCodes.Timeout, $"no reply from '{to}' within {Durations.Format(asked)}") { AskId = askId };
        }

        return null;
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
