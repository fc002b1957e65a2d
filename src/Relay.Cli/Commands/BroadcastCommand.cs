using System.CommandLine;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Cli.Commands;

/// <summary><c>relay broadcast QUESTION</c>: ask every peer, print replies as they stream in, then who did not answer.</summary>
internal static class BroadcastCommand
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var questionArgument = new Argument<string>("question") { Description = "The question; '-' reads it from stdin" };
        var wait = new DurationOption("--wait", "How long to wait for replies (e.g. 30s, 2m)", "30s");
        var thread = CliArguments.Thread();
        var asName = CliArguments.As("Join under this peer name instead of cli-<user>");
        var command = new Command("broadcast", "Ask every peer; print replies as they arrive and a summary of who answered, was held or did not answer")
        {
            questionArgument, wait, thread, asName, CliOptions.Json,
        };
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            var json = parse.GetValue(CliOptions.Json);
            var window = wait.Read(parse)!.Value;
            var question = await TextArgument.ReadAsync("question", parse.GetValue(questionArgument), cancellationToken);

            await using var peer = await CliPeer.JoinAsync(dataDir, parse.GetValue(asName), spawn: CliPeer.NativeSessionsRunning(), cancellationToken);
            var answer = await peer.RequestAsync(new BroadcastMessage
            {
                Question = question,
                ThreadId = parse.GetValue(thread),
                TimeoutMs = (long)window.TotalMilliseconds,
            }, cancellationToken);
            if (answer is ErrMessage err)
            {
                throw CliRunner.FromErr(err);
            }

            if (answer is not BroadcastAckMessage ack)
            {
                throw new CliError(ErrorCodes.Unexpected, "the hub answered broadcast with something else");
            }

            var targets = ack.Targets?.ToList() ?? [];
            var outcome = await CollectAsync(peer, ack.BroadcastId, targets, ack.PeerCount, window + Grace, json, cancellationToken);
            var missing = targets.Where(t => !outcome.Answered.Contains(t)).ToList();
            var answered = outcome.Answered.Count;
            var total = Math.Max(ack.PeerCount, targets.Count);
            if (json)
            {
                CliJson.WriteLine(new BroadcastSummaryLine { BroadcastId = ack.BroadcastId, PeerCount = total, Answered = answered, Missing = missing, Held = [.. outcome.Held.Order(StringComparer.Ordinal)] }, CliJson.Context.BroadcastSummaryLine);
            }
            else if (total == 0)
            {
                Console.Out.WriteLine("0 of 0 answered; no other peers are online");
            }
            else
            {
                var summary = $"{answered} of {total} answered";
                if (missing.Count > 0)
                {
                    summary += "; no answer from: " + string.Join(", ", missing.Select(m => outcome.Failures.TryGetValue(m, out var code) ? $"{m} ({code}{(outcome.Held.Contains(m) ? ", was held" : "")})" : m));
                }
                else if (answered < total)
                {
                    summary += $"; {total - answered} did not answer";
                }

                Console.Out.WriteLine(summary);
            }

            return answered >= total ? ExitCodes.Ok : ExitCodes.Timeout;
        });
        return command;
    }

    private sealed record Outcome(HashSet<string> Answered, Dictionary<string, string> Failures, HashSet<string> Held);

    private static async Task<Outcome> CollectAsync(CliPeer peer, string broadcastId, List<string> targets, int peerCount, TimeSpan window, bool json, CancellationToken cancellationToken)
    {
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        var held = new HashSet<string>(StringComparer.Ordinal);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(window);
        bool Done() => answered.Count + failures.Count >= Math.Max(peerCount, targets.Count);
        try
        {
            while (!Done() && await peer.Inbox.WaitToReadAsync(deadline.Token))
            {
                while (peer.Inbox.TryRead(out var message))
                {
                    switch (message)
                    {
                        case IncomingReplyMessage reply when reply.BroadcastId == broadcastId:
                            if (!answered.Add(reply.From))
                            {
                                break;
                            }

                            failures.Remove(reply.From);
                            if (json)
                            {
                                CliJson.WriteLine(new BroadcastReplyLine { From = reply.From, Text = reply.Text, AskId = reply.AskId, ThreadId = reply.ThreadId, BroadcastId = broadcastId }, CliJson.Context.BroadcastReplyLine);
                            }
                            else
                            {
                                Console.Out.WriteLine($"{reply.From}: {Indent(reply.Text)}");
                            }

                            break;
                        case ErrMessage err when err.BroadcastId == broadcastId && err.To is { } to && !answered.Contains(to):
                            if (failures.TryAdd(to, err.Code) && json)
                            {
                                CliJson.WriteLine(new BroadcastMissingLine { To = to, Code = err.Code, BroadcastId = broadcastId }, CliJson.Context.BroadcastMissingLine);
                            }

                            break;
                        case AskStatusMessage { Status: AskStates.Held } status when status.BroadcastId == broadcastId:
                            if (held.Add(status.To) && !json)
                            {
                                Console.Error.WriteLine($"relay: held: {status.To}'s session parked the question until its user approves it");
                            }

                            break;
                        case IncomingAskMessage incoming:
                            await peer.Hub.SendAsync(new ReplyMessage { AskId = incoming.AskId, Text = $"({peer.Name} is a one-shot `relay broadcast` and cannot answer)" }, cancellationToken);
                            break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait is over: whoever has not answered is reported as missing.
        }

        if (!Done() && !peer.Hub.IsConnected && !cancellationToken.IsCancellationRequested)
        {
            throw new Relay.Runtime.Client.HubUnreachableException("the hub closed the connection while replies were coming in");
        }

        foreach (var target in targets.Where(t => !answered.Contains(t)))
        {
            if (failures.TryAdd(target, ErrorCodes.Timeout) && json)
            {
                CliJson.WriteLine(new BroadcastMissingLine { To = target, Code = ErrorCodes.Timeout, BroadcastId = broadcastId }, CliJson.Context.BroadcastMissingLine);
            }
        }

        return new Outcome(answered, failures, held);
    }

    /// <summary>Indents continuation lines of a multi-line reply under its sender.</summary>
    private static string Indent(string text) => text.TrimEnd('\n').Replace("\n", "\n  ", StringComparison.Ordinal);
}
