using System.Text.Json.Nodes;
using System.Threading.Channels;
using Relay.Inbox;
using Relay.Tests.ClaudeCode;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Inbox;

/// <summary>
/// Relay.Inbox against the real Claude Code (≥ 2.1.224, e.g. <c>CLAUDE_BIN=…/2.1.332/claude</c>): discovery through
/// the sessions record, an envelope delivered verbatim, receipts back to our listener (same process as the writer, as
/// Claude Code requires), and the model's native <c>SendMessage</c> answering to our socket.
/// </summary>
[Collection(ClaudeCodeGroup.Name)]
public sealed class InboxLiveTests
{
    private const string PleaseReply = "PLEASE_REPLY_WITH_SENDMESSAGE";

    [ClaudeInboxFact]
    public async Task An_envelope_is_delivered_verbatim_and_the_model_answers_with_SendMessage()
    {
        await using var world = NewWorld(settings: null);
        string? replyTo = null;
        var session = world.StartSession("inbox-a", request => Brain(request, replyTo));
        var record = await WaitForRecordAsync(world, session);
        Assert.Equal(session.SessionId, record.SessionId);
        Assert.Equal(ProcessStat.TryRead(session.Pid)!.StartTime, record.ProcStart);

        await using var listener = new InboxListener(InboxAddress.NewIn(Path.GetDirectoryName(record.MessagingSocketPath)!));
        var messages = Channel.CreateUnbounded<InboxIncomingMessage>();
        var receipts = Channel.CreateUnbounded<InboxReceipt>();
        listener.MessageReceived += m => messages.Writer.TryWrite(m);
        listener.ReceiptReceived += r => receipts.Writer.TryWrite(r);
        listener.Start();
        replyTo = listener.Address;

        await using var outbox = new InboxOutbox();
        var content = InboxEnvelope.Build(listener.Address, "relay & \"friends\" <x>", InboxSenderMode.Prompting, PleaseReply + "\nsecond line </cross-session-message> still body");
        var delivery = await outbox.SendAsync(record.MessagingSocketPath!, new InboxMessage(content, listener.Address));
        Assert.Equal(InboxDeliveryStatus.Delivered, delivery.Status);

        await world.WaitForRequestAsync(r => r.SessionId == session.SessionId && r.AllText.Contains(content, StringComparison.Ordinal), "the envelope, verbatim, in a model request");
        var reply = await messages.Reader.ReadAsync().AsTask().WithTimeout(TimeSpan.FromSeconds(60), "the model's SendMessage at our listener");
        Assert.Equal("pong from the model", reply.Body);
        Assert.Equal("uds:" + record.MessagingSocketPath, reply.From);
        Assert.Equal(reply.From, reply.LineFrom);
        Assert.Equal(InboxSenderMode.Prompting, reply.FromMode);
        Assert.False(string.IsNullOrEmpty(reply.FromName));
        Assert.False(receipts.Reader.TryRead(out var unexpected), $"an accepted message gets no receipt, got {unexpected}");
    }

    [ClaudeInboxFact]
    public async Task A_bypass_session_holds_a_prompting_sender_and_expires_it_at_exit()
    {
        await using var world = NewWorld("""{"permissions":{"defaultMode":"bypassPermissions"}}""");
        var session = world.StartSession("inbox-b", request => Brain(request, null));
        var record = await WaitForRecordAsync(world, session);
        await using var listener = new InboxListener(InboxAddress.NewIn(Path.GetDirectoryName(record.MessagingSocketPath)!));
        var receipts = Channel.CreateUnbounded<InboxReceipt>();
        listener.ReceiptReceived += r => receipts.Writer.TryWrite(r);
        listener.Start();
        await using var outbox = new InboxOutbox();

        var held = await outbox.SendAsync(record.MessagingSocketPath!, new InboxMessage(InboxEnvelope.Build(listener.Address, "relay", InboxSenderMode.Prompting, "held body"), listener.Address));
        var receipt = await receipts.Reader.ReadAsync().AsTask().WithTimeout(TimeSpan.FromSeconds(30), "the held receipt");
        Assert.Equal(InboxReceiptStatus.Held, receipt.Status);
        Assert.Equal(held.MsgId, receipt.OrigMsgId);
        Assert.Equal("uds:" + record.MessagingSocketPath, receipt.From);

        var bypass = InboxEnvelope.Build(listener.Address, "relay", InboxSenderMode.Bypass, "bypass body");
        Assert.Equal(InboxDeliveryStatus.Delivered, (await outbox.SendAsync(record.MessagingSocketPath!, new InboxMessage(bypass, listener.Address))).Status);
        await world.WaitForRequestAsync(r => r.SessionId == session.SessionId && r.AllText.Contains(bypass, StringComparison.Ordinal), "the bypass envelope in a model request");

        session.CloseInput();
        receipt = await receipts.Reader.ReadAsync().AsTask().WithTimeout(TimeSpan.FromSeconds(30), "the expired receipt");
        Assert.Equal(InboxReceiptStatus.Expired, receipt.Status);
        Assert.Equal(held.MsgId, receipt.OrigMsgId);
    }

    [ClaudeInboxFact]
    public async Task A_refusing_session_answers_refused()
    {
        await using var world = NewWorld("""{"crossSessionInbound":"refuse"}""");
        var session = world.StartSession("inbox-c", request => Brain(request, null));
        var record = await WaitForRecordAsync(world, session);
        await using var listener = new InboxListener(InboxAddress.NewIn(Path.GetDirectoryName(record.MessagingSocketPath)!));
        var receipts = Channel.CreateUnbounded<InboxReceipt>();
        listener.ReceiptReceived += r => receipts.Writer.TryWrite(r);
        listener.Start();
        await using var outbox = new InboxOutbox();

        var sent = await outbox.SendAsync(record.MessagingSocketPath!, new InboxMessage(InboxEnvelope.Build(listener.Address, "relay", InboxSenderMode.Prompting, "refuse me"), listener.Address));
        var receipt = await receipts.Reader.ReadAsync().AsTask().WithTimeout(TimeSpan.FromSeconds(30), "the refused receipt");
        Assert.Equal(InboxReceiptStatus.Refused, receipt.Status);
        Assert.Equal("expired", receipt.RawStatus);
        Assert.Equal("refused", receipt.StatusDetail);
        Assert.Equal(sent.MsgId, receipt.OrigMsgId);
    }

    private static ClaudeWorld NewWorld(string? settings)
    {
        var world = new ClaudeWorld();
        // A private socket directory: $XDG_RUNTIME_DIR/cc-socks instead of the machine-wide /tmp/cc-socks.
        var run = Path.Combine(world.Root, "run");
        Directory.CreateDirectory(run, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        world.Env["XDG_RUNTIME_DIR"] = run;
        if (settings is not null)
        {
            Directory.CreateDirectory(Path.Combine(world.Home, ".claude"));
            File.WriteAllText(Path.Combine(world.Home, ".claude", "settings.json"), settings);
        }

        return world;
    }

    private static async Task<ClaudeSessionRecord> WaitForRecordAsync(ClaudeWorld world, ClaudeSession session)
    {
        var sessions = new ClaudeSessions(new ClaudeHome(Path.Combine(world.Home, ".claude")));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (sessions.List().FirstOrDefault(r => r.Pid == session.Pid) is { } record)
            {
                return record;
            }

            if (DateTime.UtcNow > deadline || session.Process.HasExited)
            {
                throw new TimeoutException($"no live sessions record with an inbox for pid {session.Pid}; stderr: {session.Process.Stderr}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Answers a message asking for a reply with ToolSearch (SendMessage is deferred), then SendMessage to our socket.</summary>
    private static ModelReply Brain(ModelRequest request, string? replyTo)
    {
        var results = request.LastToolResults;
        if (results.Any(r => r.Tool == "ToolSearch") && replyTo is not null)
        {
            return ModelReply.Tool("SendMessage", new JsonObject { ["to"] = replyTo, ["message"] = "pong from the model" });
        }

        if (results.Count == 0 && request.LastUserText.Contains(PleaseReply, StringComparison.Ordinal))
        {
            return ModelReply.Tool("ToolSearch", new JsonObject { ["query"] = "select:SendMessage" });
        }

        return ModelReply.Text("ok");
    }
}
