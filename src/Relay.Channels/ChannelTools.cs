using System.Globalization;
using ModelContextProtocol.Protocol;
using NLog;
using Relay.Channels.Delivery;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Channels;

/// <summary>
/// Runs the five relay tools against the hub. Every call answers with one JSON text (see <see cref="ToolResults"/>);
/// hub refusals keep their error code (bad_msg becomes bad_args: the tool's caller sent the bad data), and a missing
/// hub answers hub_unreachable instead of hanging.
/// </summary>
internal sealed class ChannelTools
{
    private readonly HubLink _link;
    private readonly IDelivery _delivery;
    private readonly ChannelSettings _settings;
    private readonly Logger _log;

    public ChannelTools(HubLink link, IDelivery delivery, ChannelSettings settings, Logger log)
    {
        _link = link;
        _delivery = delivery;
        _settings = settings;
        _log = log;
    }

    public async ValueTask<CallToolResult> CallAsync(CallToolRequestParams? request, CancellationToken cancellationToken)
    {
        var name = request?.Name ?? "";
        var args = new ToolArguments(request?.Arguments);
        try
        {
            return name switch
            {
                ToolNames.Peers => await PeersAsync(cancellationToken).ConfigureAwait(false),
                ToolNames.Ask => await AskAsync(args, cancellationToken).ConfigureAwait(false),
                ToolNames.Reply => await ReplyAsync(args, cancellationToken).ConfigureAwait(false),
                ToolNames.Broadcast => await BroadcastAsync(args, cancellationToken).ConfigureAwait(false),
                ToolNames.Rename => await RenameAsync(args, cancellationToken).ConfigureAwait(false),
                ToolNames.Inbox => Inbox(),
                _ => ToolResults.Error(ErrorCodes.BadArgs, $"unknown tool \"{name}\""),
            };
        }
        catch (BadArgsException ex)
        {
            return ToolResults.Error(ErrorCodes.BadArgs, ex.Message);
        }
        catch (MessageTooLargeException ex)
        {
            return ToolResults.Error(ErrorCodes.BadArgs, ex.Message);
        }
        catch (RegisterRefusedException ex)
        {
            return ToolResults.Error(ex.Code ?? ErrorCodes.HubUnreachable, ex.Message + (ex.Code == ErrorCodes.ProtocolMismatch ? " (a hub of another relay version is running: restart it with `relay hub restart`)" : ""));
        }
        catch (HubUnreachableException ex)
        {
            _log.Event(LogLevel.Debug, "tool_hub_unreachable", ("tool", name), ("error", ex.Message));
            return ToolResults.Error(ErrorCodes.HubUnreachable, ex.Message);
        }
    }

    private async Task<CallToolResult> PeersAsync(CancellationToken cancellationToken)
    {
        var answer = await _link.RequestAsync(new ListPeersMessage(), cancellationToken).ConfigureAwait(false);
        if (answer is not PeersMessage list)
        {
            return Refused(answer);
        }

        var me = _link.Name;
        var self = Environment.ProcessId;
        // Names are unique per hub, not per space: a peer of another host may share this session's name (or pid), so
        // only this hub's own entries are candidates for "me" (local peers carry this hub's host, or none).
        var ownHost = (list.Peers.FirstOrDefault(p => p.Name == me && p.Pid == self) ?? list.Peers.FirstOrDefault(p => p.Pid == self))?.Host;
        var others = list.Peers
            .Where(p => p.Host != ownHost || (p.Name != me && p.Pid != self))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Host, StringComparer.Ordinal)
            .ToList();
        return ToolResults.Ok(writer =>
        {
            writer.WriteString("me", me);
            writer.WriteString("delivery", _delivery.Path);
            writer.WriteStartArray("peers");
            foreach (var peer in others)
            {
                writer.WriteStartObject();
                writer.WriteString("name", peer.Name);
                if (peer.Host is { } host)
                {
                    // Hubs joined through NATS: a peer of another host is asked as name@host.
                    writer.WriteString("host", host);
                }

                writer.WriteString("cwd", peer.Cwd);
                writer.WriteString("git_branch", peer.GitBranch);
                writer.WriteString("last_seen", peer.LastSeen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                writer.WriteString("kind", peer.Kind);
                writer.WriteString("delivery", peer.Delivery);
                if (peer.AwayUntil is { } until)
                {
                    // Its channel left and may come back: asks to it wait (the asker hears "waiting") until then.
                    writer.WriteString("away_until", until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                    writer.WriteNumber("held_asks", peer.HeldAsks ?? 0);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private async Task<CallToolResult> AskAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        var to = args.RequiredId("to");
        var question = args.RequiredText("question");
        var threadId = args.OptionalId("thread_id");
        if (to == _link.Name)
        {
            throw new BadArgsException($"\"{to}\" is this session's own name; pick another peer from relay_peers");
        }

        var askId = RandomIds.New("a");
        // Recorded before sending: the reply may arrive before this method resumes after the ack.
        var timeout = _settings.AskTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(Math.Min(ms, (long)Limits.MaxAskTimeout.TotalMilliseconds)) : Limits.DefaultAskTimeout;
        _link.Pending.AddAsk(askId, to, question, threadId, timeout);
        var ask = new AskMessage { To = to, Question = question, AskId = askId, ThreadId = threadId, TimeoutMs = _settings.AskTimeoutMs };
        ServerMessage answer;
        try
        {
            answer = await _link.RequestAsync(ask, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _link.Pending.RemoveAsk(askId);
            throw;
        }

        if (answer is not AckMessage ack)
        {
            _link.Pending.RemoveAsk(askId);
            return Refused(answer);
        }

        _link.Pending.Accepted(askId, ack.ThreadId);

        return ToolResults.Ok(writer =>
        {
            writer.WriteString("ask_id", ack.AskId ?? askId);
            writer.WriteString("thread_id", ack.ThreadId ?? threadId);
            if (ack.Delivery is { } delivery)
            {
                writer.WriteString("delivery", delivery);
            }
        });
    }

    private async Task<CallToolResult> ReplyAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        var askId = args.RequiredId("ask_id");
        var text = args.RequiredText("text");
        var outcome = await _link.ReplyAsync(askId, text, cancellationToken).ConfigureAwait(false);
        if (outcome is { Held: false, Answer: not AckMessage })
        {
            return Refused(outcome.Answer!);
        }

        _delivery.Answered(askId);
        return ToolResults.Ok(writer =>
        {
            writer.WriteString("ask_id", askId);
            if (outcome.Held)
            {
                // Kept in this channel, not yet at the asker: say so rather than claim it arrived.
                writer.WriteBoolean("queued", true);
                writer.WriteString("note", outcome.Note);
            }
        });
    }

    private async Task<CallToolResult> BroadcastAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        var question = args.RequiredText("question");
        var threadId = args.OptionalId("thread_id");
        var broadcast = new BroadcastMessage { Question = question, ThreadId = threadId, TimeoutMs = _settings.AskTimeoutMs };
        var answer = await _link.RequestAsync(broadcast, cancellationToken).ConfigureAwait(false);
        if (answer is not BroadcastAckMessage ack)
        {
            return Refused(answer);
        }

        if (ack.PeerCount > 0 && _link.Pending.AddBroadcast(ack.BroadcastId, ack.Targets ?? []) is { } summary)
        {
            // Every target already ended while this call waited for its ack.
            _delivery.Deliver(summary);
        }
        return ToolResults.Ok(writer =>
        {
            writer.WriteString("broadcast_id", ack.BroadcastId);
            writer.WriteNumber("peer_count", ack.PeerCount);
            if (ack.Targets is { } targets)
            {
                writer.WriteStartArray("peers");
                foreach (var target in targets)
                {
                    writer.WriteStringValue(target);
                }

                writer.WriteEndArray();
            }
        });
    }

    private async Task<CallToolResult> RenameAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        var newName = args.RequiredString("new_name");
        if (!PeerNames.IsValid(newName))
        {
            throw new BadArgsException($"\"{newName}\" is not a valid name: use 1 to {PeerNames.MaxLength} letters, digits, '.', '_' or '-' (e.g. \"{PeerNames.Slugify(newName)}\")");
        }

        var answer = await _link.RenameAsync(newName, cancellationToken).ConfigureAwait(false);
        return answer is AckMessage ack ? ToolResults.Ok(writer => writer.WriteString("name", ack.Name ?? newName)) : Refused(answer);
    }

    private CallToolResult Inbox() => ToolResults.Ok(writer =>
    {
        writer.WriteString("delivery", _delivery.Path);
        if (_delivery is PullDelivery pull)
        {
            pull.Drain(writer);
        }
        else if (_delivery is Delivery.InboxDelivery inbox)
        {
            // What the native inbox would not take waits here.
            inbox.Fallback.Drain(writer);
        }
        else
        {
            writer.WriteStartArray("messages");
            writer.WriteEndArray();
            writer.WriteString("note", $"messages reach this session by {_delivery.Path}; nothing waits here");
        }
    });

    private static CallToolResult Refused(ServerMessage answer) => answer switch
    {
        ErrMessage { Code: ErrorCodes.BadMsg } err => ToolResults.Error(ErrorCodes.BadArgs, err.Message),
        ErrMessage { Code: ErrorCodes.NotRegistered } err => ToolResults.Error(ErrorCodes.HubUnreachable, err.Message),
        ErrMessage err => ToolResults.Error(err.Code, err.Message),
        _ => ToolResults.Error(ErrorCodes.Unexpected, "unexpected hub answer: " + answer.GetType().Name),
    };
}
