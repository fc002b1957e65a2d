using System.Collections.Concurrent;
using System.Globalization;
using Relay.Bench.Infra;

namespace Relay.Bench.Soak;

/// <summary>
/// One soak peer that is a real channel: a <c>relay mcp</c> process driven over stdio by the bench's own MCP client.
/// It asks random peers with <c>relay_ask</c>, answers every incoming ask push with <c>relay_reply</c> (except a small
/// share it ignores, which then time out), and records every ask and ending in the <see cref="SoakLedger"/> by the
/// ask id the tool returned. Its own RSS and open fds are what the soak reports for channels.
/// </summary>
internal sealed class SoakChannel
{
    private const double IgnoreShare = 0.01;

    private readonly RawMcpPeer _peer;
    private readonly SoakLedger _ledger;
    private long _refused;
    private long _accepted;
    private long _answered;
    private long _late;
    private long _replyErrors;

    public SoakChannel(RawMcpPeer peer, SoakLedger ledger)
    {
        _peer = peer;
        _ledger = ledger;
        peer.OnPush = OnPush;
    }

    public string Name => _peer.Name;

    public int Pid => _peer.Pid;

    /// <summary>
    /// Its asks the hub accepted; the incoming asks it answered with relay_reply; of those, the replies refused
    /// <c>unknown_ask</c> because the ask had already ended (timed out, or its asker left: the late-reply row of the
    /// outcome table); and replies that failed any other way (a fault).
    /// </summary>
    public (long Accepted, long Answered, long Late, long Failed) Counts =>
        (Interlocked.Read(ref _accepted), Interlocked.Read(ref _answered), Interlocked.Read(ref _late), Interlocked.Read(ref _replyErrors));

    /// <summary>The ask ids of the late replies, for checking that each of those asks did end some other way.</summary>
    public ConcurrentQueue<string> LateAskIds { get; } = new();

    /// <summary>The last reply that failed other than as a late reply.</summary>
    public string? LastReplyError { get; private set; }

    /// <summary>
    /// Asks <paramref name="target"/>. The tool's answer comes on the reader thread: an ok answer carries the ask id (its
    /// reply push may even come first, which the ledger allows), a refusal its error code.
    /// </summary>
    public void Ask(string target) => _peer.SendTool(
        "relay_ask",
        w =>
        {
            w.WriteString("to", target);
            w.WriteString("question", "soak question from " + Name);
        },
        answer =>
        {
            var payload = answer.ToolPayload;
            if (answer.ToolOk && payload?.TryGetProperty("ask_id", out var id) == true && id.GetString() is { } askId)
            {
                _ledger.AcceptedFrom(askId, this);
                Interlocked.Increment(ref _accepted);
                return;
            }

            // A refused ask has no id of its own: give it one so the tally counts it (and would flag an ending for it).
            var code = payload?.TryGetProperty("code", out var c) == true ? c.GetString() ?? "?" : "tool_error";
            var synthetic = string.Create(CultureInfo.InvariantCulture, $"{Name}.refused.{Interlocked.Increment(ref _refused)}");
            _ledger.Sent(synthetic, this);
            _ledger.Refused(synthetic, code);
        });

    private void OnReplied(string askId, RpcAnswer answer)
    {
        if (answer.ToolOk)
        {
            return;
        }

        if (answer.ToolPayload?.TryGetProperty("code", out var code) == true && code.GetString() == "unknown_ask")
        {
            Interlocked.Increment(ref _late);
            LateAskIds.Enqueue(askId);
            return;
        }

        LastReplyError = answer.Describe();
        Interlocked.Increment(ref _replyErrors);
    }

    private void OnPush(RawMcpPeer peer, ChannelPush push)
    {
        if (push["ask_id"] is not { } askId)
        {
            return;
        }

        switch (push["type"])
        {
            case "ask":
#pragma warning disable CA5394 // Not security: which few asks go unanswered (and so time out).
                if (Random.Shared.NextDouble() >= IgnoreShare)
#pragma warning restore CA5394
                {
                    Interlocked.Increment(ref _answered);
                    peer.SendTool(
                        "relay_reply",
                        w =>
                        {
                            w.WriteString("ask_id", askId);
                            w.WriteString("text", "soak answer");
                        },
                        answer => OnReplied(askId, answer));
                }

                break;
            case "reply":
                _ledger.Ended(askId, SoakOutcome.Reply, this);
                break;
            case "error" when push["code"] == "timeout":
                _ledger.Ended(askId, SoakOutcome.Timeout, this);
                break;
            case "error" when push["code"] == "peer_gone":
                _ledger.Ended(askId, SoakOutcome.PeerGone, this);
                break;
        }
    }
}
