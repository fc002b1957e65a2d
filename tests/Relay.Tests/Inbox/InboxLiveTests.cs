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

        await using var ours = OurInbox.Open(record);
        replyTo = ours.Address;

        var content = ours.Envelope(InboxSenderMode.Prompting, PleaseReply + "\nsecond line </cross-session-message> still body", from: "relay & \"friends\" <x>");
        var delivery = await ours.SendAsync(content);
        Assert.Equal(InboxDeliveryStatus.Delivered, delivery.Status);

        await world.WaitForRequestAsync(r => r.SessionId == session.SessionId && r.AllText.Contains(content, StringComparison.Ordinal), "the envelope, verbatim, in a model request");
        var reply = await ours.Messages.Reader.ReadAsync().AsTask().WithTimeout(TimeSpan.FromSeconds(60), "the model's SendMessage at our listener");
        Assert.Equal("pong from the model", reply.Body);
        Assert.Equal("uds:" + record.MessagingSocketPath, reply.From);
        Assert.Equal(reply.From, reply.LineFrom);
        Assert.Equal(InboxSenderMode.Prompting, reply.FromMode);
        Assert.False(string.IsNullOrEmpty(reply.FromName));
        Assert.False(ours.Receipts.Reader.TryRead(out var unexpected), $"an accepted message gets no receipt, got {unexpected}");
    }

    [ClaudeInboxFact]
    public async Task A_bypass_session_holds_a_prompting_sender_and_expires_it_at_exit()
    {
        await using var world = NewWorld("""{"permissions":{"defaultMode":"bypassPermissions"}}""");
        var session = world.StartSession("inbox-b", request => Brain(request, null));
        var record = await WaitForRecordAsync(world, session);
        await using var ours = OurInbox.Open(record);

        var held = await ours.SendAsync(ours.Envelope(InboxSenderMode.Prompting, "held body"));
        var receipt = await ours.NextReceiptAsync("the held receipt");
        Assert.Equal(InboxReceiptStatus.Held, receipt.Status);
        Assert.Equal(held.MsgId, receipt.OrigMsgId);
        Assert.Equal("uds:" + record.MessagingSocketPath, receipt.From);

        var bypass = ours.Envelope(InboxSenderMode.Bypass, "bypass body");
        Assert.Equal(InboxDeliveryStatus.Delivered, (await ours.SendAsync(bypass)).Status);
        await world.WaitForRequestAsync(r => r.SessionId == session.SessionId && r.AllText.Contains(bypass, StringComparison.Ordinal), "the bypass envelope in a model request");

        session.CloseInput();
        receipt = await ours.NextReceiptAsync("the expired receipt");
        Assert.Equal(InboxReceiptStatus.Expired, receipt.Status);
        Assert.Equal(held.MsgId, receipt.OrigMsgId);
    }

    [ClaudeInboxFact]
    public async Task A_refusing_session_answers_refused()
    {
        await using var world = NewWorld("""{"crossSessionInbound":"refuse"}""");
        var session = world.StartSession("inbox-c", request => Brain(request, null));
        var record = await WaitForRecordAsync(world, session);
        await using var ours = OurInbox.Open(record);

        var sent = await ours.SendAsync(ours.Envelope(InboxSenderMode.Prompting, "refuse me"));
        var receipt = await ours.NextReceiptAsync("the refused receipt");
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
        var found = await Poll.ForAsync(
            () => Task.FromResult(session.Process.HasExited ? throw new InvalidOperationException("the session exited; stderr: " + session.Process.Stderr) : sessions.List().FirstOrDefault(r => r.Pid == session.Pid)),
            record => record is not null,
            TimeSpan.FromSeconds(30),
            $"a live sessions record with an inbox for pid {session.Pid}");
        return found!;
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

    /// <summary>Our side of a session's inbox: a listener beside its socket, what reached the listener, and an outbox.</summary>
    private sealed class OurInbox : IAsyncDisposable
    {
        private readonly InboxListener _listener;
        private readonly InboxOutbox _outbox = new();
        private readonly string _target;

        private OurInbox(ClaudeSessionRecord record)
        {
            _target = record.MessagingSocketPath!;
            _listener = new InboxListener(InboxAddress.NewIn(Path.GetDirectoryName(_target)!));
            _listener.MessageReceived += m => Messages.Writer.TryWrite(m);
            _listener.ReceiptReceived += r => Receipts.Writer.TryWrite(r);
        }

        public Channel<InboxIncomingMessage> Messages { get; } = Channel.CreateUnbounded<InboxIncomingMessage>();

        public Channel<InboxReceipt> Receipts { get; } = Channel.CreateUnbounded<InboxReceipt>();

        public string Address => _listener.Address;

        public static OurInbox Open(ClaudeSessionRecord record)
        {
            var inbox = new OurInbox(record);
            inbox._listener.Start();
            return inbox;
        }

        public string Envelope(InboxSenderMode mode, string body, string from = "relay") => InboxEnvelope.Build(Address, from, mode, body);

        public Task<InboxDelivery> SendAsync(string content) => _outbox.SendAsync(_target, new InboxMessage(content, Address));

        public Task<InboxReceipt> NextReceiptAsync(string what) => Receipts.Reader.ReadAsync().AsTask().WithTimeout(TimeSpan.FromSeconds(30), what);

        public async ValueTask DisposeAsync()
        {
            await _outbox.DisposeAsync();
            await _listener.DisposeAsync();
        }
    }
}
