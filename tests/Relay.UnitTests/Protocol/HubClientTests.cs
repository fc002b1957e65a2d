using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;
using Xunit;

namespace Relay.UnitTests.Protocol;

/// <summary><see cref="HubClient"/> against a scripted hub on a socket of its own: request timeouts and close reasons.</summary>
public sealed class HubClientTests : IAsyncDisposable
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);
    private readonly string _dir = Directory.CreateTempSubdirectory("relay-hubclient-").FullName;
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public HubClientTests()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(4);
    }

    private string SocketPath => Path.Combine(_dir, "hub.sock");

    [Fact]
    public async Task An_answer_is_matched_to_its_request_and_other_lines_are_pushed()
    {
        var pushed = new List<ServerMessage>();
        await using var client = await HubClient.ConnectAsync(SocketPath, pushed.Add);
        using var hub = await _listener.AcceptAsync();
        var request = client.RequestAsync(new ListPeersMessage());
        var reqId = await ReadReqIdAsync(hub);
        await SendAsync(hub, """{"type":"event","event":"ask","at":"2026-12-01T09:00:00+00:00"}""" + "\n" + $$"""{"type":"peers","peers":[],"req_id":"{{reqId}}"}""" + "\n");

        Assert.IsType<PeersMessage>(await request);
        Assert.IsType<HubEventMessage>(Assert.Single(pushed));
        Assert.Null(client.CloseReason);
    }

    [Fact]
    public async Task Requests_on_a_client_that_was_disposed_meanwhile_fail_as_hub_unreachable_not_as_a_crash()
    {
        var client = await HubClient.ConnectAsync(SocketPath);
        using var hub = await _listener.AcceptAsync();

        // What a tool call holding the old connection does while the hub dies and the link disposes it: many sends
        // racing the dispose, and one after it. Each must fail as hub_unreachable (a tool answers that), nothing else.
        var racing = Enumerable.Range(0, 50).Select(i => Task.Run(() => client.RequestAsync(new ReplyMessage { AskId = "a-" + i, Text = "t" }))).ToList();
        await client.DisposeAsync();
        racing.Add(client.RequestAsync(new ListPeersMessage()));
        foreach (var request in racing)
        {
            var error = await Record.ExceptionAsync(() => request);
            Assert.True(error is HubUnreachableException, $"expected HubUnreachableException, got {error}");
        }

        var send = await Record.ExceptionAsync(() => client.SendAsync(new ListPeersMessage()).AsTask());
        Assert.True(send is HubUnreachableException, $"expected HubUnreachableException, got {send}");
    }

    [Fact]
    public async Task A_request_the_hub_never_answers_fails_after_the_client_timeout_or_the_calls_own()
    {
        await using var client = await HubClient.ConnectAsync(SocketPath);
        using var hub = await _listener.AcceptAsync();
        Assert.Equal(HubClient.DefaultRequestTimeout, client.RequestTimeout);
        client.RequestTimeout = Short;

        var byDefault = await Assert.ThrowsAsync<HubUnreachableException>(() => client.RequestAsync(new HubStatusMessage()));
        Assert.IsType<TimeoutException>(byDefault.InnerException);
        Assert.Equal("the hub did not answer within 0.1 s", byDefault.Message);
        var perCall = await Assert.ThrowsAsync<HubUnreachableException>(() => client.RequestAsync(new HubStatusMessage(), TimeSpan.FromMilliseconds(50)));
        Assert.Equal("the hub did not answer within 0.05 s", perCall.Message);
        Assert.IsType<TimeoutException>(perCall.InnerException);

        // A timeout does not close the connection.
        Assert.True(client.IsConnected);
        Assert.Null(client.CloseReason);
    }

    [Fact]
    public async Task When_the_hub_closes_the_reason_is_kept_and_given_to_waiting_and_later_requests()
    {
        await using var client = await HubClient.ConnectAsync(SocketPath);
        var hub = await _listener.AcceptAsync();
        var waiting = client.RequestAsync(new HubStatusMessage());
        await ReadReqIdAsync(hub);
        hub.Dispose();

        var error = await Assert.ThrowsAsync<HubUnreachableException>(() => waiting);
        await client.Completion;
        Assert.False(client.IsConnected);
        var reason = Assert.IsType<HubUnreachableException>(client.CloseReason);
        Assert.Equal("the hub closed the connection", reason.Message);
        Assert.Same(reason, error.InnerException);
        var later = await Assert.ThrowsAsync<HubUnreachableException>(() => client.RequestAsync(new HubStatusMessage()));
        Assert.Same(reason, later.InnerException);
    }

    [Fact]
    public async Task A_line_over_the_limit_closes_the_connection_with_that_reason()
    {
        await using var client = await HubClient.ConnectAsync(SocketPath);
        using var hub = await _listener.AcceptAsync();
        await SendAsync(hub, new string('x', Limits.MaxLineBytes + 1));

        await client.Completion;
        Assert.IsType<LineTooLongException>(client.CloseReason);
    }

    [Fact]
    public async Task Closing_from_this_side_is_a_reason_too()
    {
        var client = await HubClient.ConnectAsync(SocketPath);
        using var hub = await _listener.AcceptAsync();
        await client.DisposeAsync();

        Assert.Equal("this client closed the connection", Assert.IsType<HubUnreachableException>(client.CloseReason).Message);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static async Task SendAsync(Socket hub, string text) => await hub.SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Reads one request line from the client and returns its req_id.</summary>
    private static async Task<string> ReadReqIdAsync(Socket hub)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (Array.IndexOf(buffer, (byte)'\n', 0, length) < 0)
        {
            length += await hub.ReceiveAsync(buffer.AsMemory(length));
        }

        using var line = JsonDocument.Parse(buffer.AsMemory(0, Array.IndexOf(buffer, (byte)'\n', 0, length)));
        return line.RootElement.GetProperty("req_id").GetString()!;
    }
}
