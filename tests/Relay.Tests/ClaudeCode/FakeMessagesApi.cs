using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// A scripted stand-in for the Anthropic Messages API on 127.0.0.1: answers <c>POST /v1/messages</c> (SSE when the
/// request streams, plain JSON otherwise) with what the brain of the requesting session decides, and logs every
/// request so tests can assert what each model saw. Sessions are told apart by the <c>x-claude-code-session-id</c>
/// header (<c>claude --session-id</c>). Side requests (no tools offered) and unknown sessions get a short text.
/// </summary>
public sealed class FakeMessagesApi : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<ModelRequest> _requests = [];
    private readonly Dictionary<string, Func<ModelRequest, ModelReply>> _brains = [];
    private readonly List<string> _errors = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeMessagesApi()
    {
        (_listener, Port) = Listen();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<ModelRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Problems inside the fake (a brain that threw, a bad body): tests assert this stays empty.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_gate)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Sets how the model of one session answers its main-loop requests.</summary>
    public void Script(string sessionId, Func<ModelRequest, ModelReply> brain)
    {
        lock (_gate)
        {
            _brains[sessionId] = brain;
        }
    }

    public IReadOnlyList<ModelRequest> RequestsOf(string sessionId) => [.. Requests.Where(r => r.SessionId == sessionId)];

    /// <summary>Waits until a logged request matches; returns it.</summary>
    public async Task<ModelRequest> WaitForRequestAsync(Func<ModelRequest, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_requests.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"the fake Messages API never saw {what} within {timeout.TotalSeconds:0} s; {Describe()}");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>A one-line-per-request summary for failure messages.</summary>
    public string Describe()
    {
        var lines = Requests.Select(r => $"#{r.Sequence} session={r.SessionId} tools={r.ToolNames.Count} last-user={Shorten(r.LastUserText)} results=[{string.Join(", ", r.LastToolResults.Select(t => t.Tool + ":" + Shorten(t.Text)))}]");
        var errors = Errors.Count > 0 ? "\nfake API errors:\n" + string.Join("\n", Errors) : "";
        return "requests seen:\n" + string.Join("\n", lines) + errors;
    }

    private static string Shorten(string text)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= 160 ? flat : flat[..160] + "…";
    }

    private static (HttpListener Listener, int Port) Listen()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 60000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 50)
            {
                listener.Close();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var request = context.Request;
            if (request.HttpMethod != "POST" || !request.Url!.AbsolutePath.StartsWith("/v1/messages", StringComparison.Ordinal))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }

            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync()) as JsonObject ?? [];
            if (request.Url.AbsolutePath.EndsWith("/count_tokens", StringComparison.Ordinal))
            {
                await WriteAsync(response, "application/json", """{"input_tokens":1}""");
                return;
            }

            ModelRequest logged;
            Func<ModelRequest, ModelReply>? brain;
            lock (_gate)
            {
                logged = new ModelRequest(_requests.Count + 1, request.Headers["x-claude-code-session-id"], body);
                _requests.Add(logged);
                _brains.TryGetValue(logged.SessionId ?? "", out brain);
            }

            ModelReply reply;
            try
            {
                reply = brain is not null && logged.IsMainLoop ? brain(logged) : ModelReply.Text("ok");
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _errors.Add($"brain of {logged.SessionId} threw on request #{logged.Sequence}: {ex}");
                }

                reply = ModelReply.Text("the fake model failed: " + ex.Message);
            }

            var model = (string?)body["model"] ?? "claude-fake";
            if ((bool?)body["stream"] == true)
            {
                await WriteAsync(response, "text/event-stream", Sse(reply, model));
            }
            else
            {
                await WriteAsync(response, "application/json", Message(reply, model).ToJsonString());
            }
        }
        catch (Exception ex) when (ex is IOException or HttpListenerException or JsonException or ObjectDisposedException)
        {
            lock (_gate)
            {
                _errors.Add("request failed: " + ex.Message);
            }

            try
            {
                response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        finally
        {
            Signal();
        }
    }

    private void Signal()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        old.TrySetResult();
    }

    private static async Task WriteAsync(HttpListenerResponse response, string contentType, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.StatusCode = 200;
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static JsonObject Usage() => new() { ["input_tokens"] = 10, ["output_tokens"] = 5 };

    private static string StopReason(ModelReply reply) => reply.CallsTools ? "tool_use" : "end_turn";

    private static JsonObject Message(ModelReply reply, string model) => new()
    {
        ["id"] = "msg_" + Guid.NewGuid().ToString("N")[..20],
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = model,
        ["content"] = new JsonArray([.. reply.Blocks.Select(b => b.DeepClone())]),
        ["stop_reason"] = StopReason(reply),
        ["stop_sequence"] = null,
        ["usage"] = Usage(),
    };

    private static string Sse(ModelReply reply, string model)
    {
        var sse = new StringBuilder();
        var start = Message(ModelReply.Text(""), model);
        start["content"] = new JsonArray();
        start["stop_reason"] = null;
        Event("message_start", new JsonObject { ["type"] = "message_start", ["message"] = start });
        for (var i = 0; i < reply.Blocks.Count; i++)
        {
            var block = reply.Blocks[i];
            if ((string?)block["type"] == "tool_use")
            {
                Event("content_block_start", new JsonObject
                {
                    ["type"] = "content_block_start",
                    ["index"] = i,
                    ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = block["id"]!.DeepClone(), ["name"] = block["name"]!.DeepClone(), ["input"] = new JsonObject() },
                });
                Event("content_block_delta", new JsonObject
                {
                    ["type"] = "content_block_delta",
                    ["index"] = i,
                    ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = block["input"]!.ToJsonString() },
                });
            }
            else
            {
                Event("content_block_start", new JsonObject
                {
                    ["type"] = "content_block_start",
                    ["index"] = i,
                    ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
                });
                Event("content_block_delta", new JsonObject
                {
                    ["type"] = "content_block_delta",
                    ["index"] = i,
                    ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = block["text"]!.DeepClone() },
                });
            }

            Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = i });
        }

        Event("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = StopReason(reply), ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = 5 },
        });
        Event("message_stop", new JsonObject { ["type"] = "message_stop" });
        return sse.ToString();

        void Event(string name, JsonObject data) => sse.Append("event: ").Append(name).Append("\ndata: ").Append(data.ToJsonString()).Append("\n\n");
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
