using System.Buffers;
using System.Text.Json;

namespace Relay.Bench.Infra;

/// <summary>A <c>notifications/claude/channel</c> push as the client received it.</summary>
internal readonly record struct ChannelPush(string Content, IReadOnlyDictionary<string, string> Meta, long Timestamp)
{
    public string? this[string key] => Meta.TryGetValue(key, out var value) ? value : null;
}

/// <summary>The answer to one JSON-RPC request: its result (or error) and when it arrived.</summary>
internal readonly record struct RpcAnswer(JsonElement? Result, string? Error, long Timestamp)
{
    /// <summary>For a tools/call result: the tool's JSON text payload, or null.</summary>
    public JsonElement? ToolPayload
    {
        get
        {
            if (Result is not { } result || !result.TryGetProperty("content", out var content) || content.GetArrayLength() == 0)
            {
                return null;
            }

            var text = content[0].GetProperty("text").GetString();
            if (text is null)
            {
                return null;
            }

            try
            {
                return JsonDocument.Parse(text).RootElement;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>True for a tools/call whose payload says <c>"ok": true</c> and that is not flagged isError.</summary>
    public bool ToolOk
    {
        get
        {
            if (Error is not null || Result is not { } result)
            {
                return false;
            }

            if (result.TryGetProperty("isError", out var isError) && isError.ValueKind == JsonValueKind.True)
            {
                return false;
            }

            return ToolPayload is { } payload && payload.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True;
        }
    }

    public string Describe() => Error ?? Result?.GetRawText() ?? "(nothing)";
}

/// <summary>
/// The harness's own minimal MCP client: JSON-RPC lines written straight to a <c>relay mcp</c> process's stdin and
/// read by one blocking thread from its stdout. It does what Claude Code does on the wire (initialize,
/// notifications/initialized, tools/list, tools/call, receive notifications) and nothing more, so figures measure
/// relay and not a client library. <c>SdkAskPair</c> is the SDK-based comparison.
/// </summary>
internal sealed class RawMcpPeer : IDisposable
{
    private readonly Dictionary<long, Action<RpcAnswer>> _pending = [];
    private readonly Lock _gate = new();
    private LineProcess _process = null!;
    private long _nextId;
    private int _toolErrors;

    private RawMcpPeer(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public int Pid => _process.Pid;

    public LineProcess Process => _process;

    /// <summary>Called on the reader thread for every channel push.</summary>
    public Action<RawMcpPeer, ChannelPush>? OnPush { get; set; }

    /// <summary>tools/call answers that were not ok, counted for calls sent with <see cref="CallToolCounted"/>.</summary>
    public int ToolErrors => Volatile.Read(ref _toolErrors);

    public string? LastToolError { get; private set; }

    public static RawMcpPeer Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?> env, string workingDirectory, string name)
    {
        var peer = new RawMcpPeer(name);
        peer._process = LineProcess.Start(fileName, args, env, workingDirectory, name, peer.OnLine);
        return peer;
    }

    /// <summary>Sends a request; <paramref name="onAnswer"/> runs on the reader thread when the answer arrives.</summary>
    public long Send(string method, Action<Utf8JsonWriter>? writeParams, Action<RpcAnswer>? onAnswer)
    {
        var id = Interlocked.Increment(ref _nextId);
        if (onAnswer is not null)
        {
            lock (_gate)
            {
                _pending[id] = onAnswer;
            }
        }

        Write(method, id, writeParams);
        return id;
    }

    public void Notify(string method, Action<Utf8JsonWriter>? writeParams = null) => Write(method, null, writeParams);

    public Task<RpcAnswer> RequestAsync(string method, Action<Utf8JsonWriter>? writeParams = null)
    {
        var answer = new TaskCompletionSource<RpcAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        Send(method, writeParams, a => answer.TrySetResult(a));
        return answer.Task;
    }

    /// <summary>A blocking request with a deadline; throws <see cref="BenchFailure"/> when no answer comes.</summary>
    public RpcAnswer Request(string method, Action<Utf8JsonWriter>? writeParams, TimeSpan timeout)
    {
        using var done = new ManualResetEventSlim(false, spinCount: 0);
        RpcAnswer result = default;
        Send(method, writeParams, a =>
        {
            result = a;
            done.Set();
        });
        if (WaitHandle.WaitAny([done.WaitHandle, _process.Eof.WaitHandle], timeout) != 0)
        {
            throw new BenchFailure($"{Name}: no answer to {method} within {timeout.TotalSeconds:0.#} s (exited: {_process.HasExited}); stderr: {_process.StderrTail}");
        }

        return result;
    }

    /// <summary>The handshake Claude Code does: initialize, notifications/initialized, tools/list.</summary>
    public void Initialize(TimeSpan timeout)
    {
        var init = Request("initialize", w =>
        {
            w.WriteString("protocolVersion", "2025-11-25");
            w.WriteStartObject("capabilities");
            w.WriteStartObject("roots");
            w.WriteEndObject();
            w.WriteStartObject("elicitation");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("clientInfo");
            w.WriteString("name", "relay-bench");
            w.WriteString("version", "1.0");
            w.WriteEndObject();
        }, timeout);
        if (init.Error is not null)
        {
            throw new BenchFailure($"{Name}: initialize failed: {init.Error}");
        }

        Notify("notifications/initialized");
        var tools = Request("tools/list", null, timeout);
        if (tools.Result is not { } list || !list.TryGetProperty("tools", out _))
        {
            throw new BenchFailure($"{Name}: tools/list failed: {tools.Describe()}");
        }
    }

    public RpcAnswer CallTool(string tool, Action<Utf8JsonWriter> writeArguments, TimeSpan timeout) =>
        Request("tools/call", w => WriteToolParams(w, tool, writeArguments), timeout);

    /// <summary>Fire-and-forget tools/call; a not-ok answer is counted in <see cref="ToolErrors"/>.</summary>
    public void CallToolCounted(string tool, Action<Utf8JsonWriter> writeArguments, Action<RpcAnswer>? then = null) =>
        Send("tools/call", w => WriteToolParams(w, tool, writeArguments), answer =>
        {
            if (!answer.ToolOk)
            {
                LastToolError = answer.Describe();
                Interlocked.Increment(ref _toolErrors);
            }

            then?.Invoke(answer);
        });

    private static void WriteToolParams(Utf8JsonWriter w, string tool, Action<Utf8JsonWriter> writeArguments)
    {
        w.WriteString("name", tool);
        w.WriteStartObject("arguments");
        writeArguments(w);
        w.WriteEndObject();
    }

    private void Write(string method, long? id, Action<Utf8JsonWriter>? writeParams)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            if (id is { } value)
            {
                w.WriteNumber("id", value);
            }

            w.WriteString("method", method);
            if (writeParams is not null)
            {
                w.WriteStartObject("params");
                writeParams(w);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        _process.WriteLine(buffer.WrittenSpan);
    }

    private void OnLine(ReadOnlySpan<byte> line, long timestamp)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException)
        {
            // Claude Code ignores non-JSON lines on stdout; so does the bench (but relay should never send them).
            return;
        }

        var root = document.RootElement;
        if (root.TryGetProperty("method", out var method))
        {
            if (method.ValueEquals("notifications/claude/channel") && root.TryGetProperty("params", out var p))
            {
                var content = p.TryGetProperty("content", out var c) ? c.GetString() ?? "" : "";
                var meta = new Dictionary<string, string>(StringComparer.Ordinal);
                if (p.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in m.EnumerateObject())
                    {
                        meta[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                    }
                }

                OnPush?.Invoke(this, new ChannelPush(content, meta, timestamp));
            }
            else if (root.TryGetProperty("id", out var requestId))
            {
                // A request from the server (ping, roots/list): answer with an empty result, as a client must.
                var raw = requestId.GetRawText();
                _process.WriteLine(System.Text.Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":" + raw + ",\"result\":{}}"));
            }

            return;
        }

        if (!root.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id))
        {
            return;
        }

        Action<RpcAnswer>? handler;
        lock (_gate)
        {
            if (_pending.Remove(id, out handler) is false)
            {
                return;
            }
        }

        if (root.TryGetProperty("error", out var error))
        {
            handler(new RpcAnswer(null, error.GetRawText(), timestamp));
        }
        else
        {
            handler(new RpcAnswer(root.TryGetProperty("result", out var result) ? result : null, null, timestamp));
        }
    }

    /// <summary>Closes stdin (the channel should exit on EOF) and stops exactly this process.</summary>
    public bool Stop(TimeSpan grace) => _process.Stop(grace);

    public void Dispose() => _process.Dispose();
}
