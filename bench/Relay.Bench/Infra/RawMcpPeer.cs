using System.Buffers;
using System.Text.Json;

namespace Relay.Bench.Infra;

/// <summary>A <c>notifications/claude/channel</c> push as the client received it.</summary>
internal readonly record struct ChannelPush(string Content, IReadOnlyDictionary<string, string> Meta, long Timestamp)
{
    public string? this[string key] => Meta.TryGetValue(key, out var value) ? value : null;
}

/// <summary>The answer to one JSON-RPC request (its raw line, parsed only when asked) and when it arrived.</summary>
internal sealed class RpcAnswer(byte[] line, long timestamp)
{
    private JsonElement? _root;

    public long Timestamp => timestamp;

    private JsonElement Root => _root ??= JsonDocument.Parse(line).RootElement;

    public JsonElement? Result => Root.TryGetProperty("result", out var result) ? result : null;

    public string? Error => Root.TryGetProperty("error", out var error) ? error.GetRawText() : null;

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

    /// <summary>
    /// True for a tools/call whose payload says <c>"ok": true</c> and that is not flagged isError. Checked on the raw
    /// bytes (the payload is a JSON string inside the result, its quotes escaped as <c>\"</c> or <c>\u0022</c>), so the
    /// harness does not parse every answer on the hot path.
    /// </summary>
    public bool ToolOk
    {
        get
        {
            ReadOnlySpan<byte> span = line;
            if (span.IndexOf("\"isError\":true"u8) >= 0 || span.IndexOf("\"error\":"u8) >= 0)
            {
                return false;
            }

            return span.IndexOf("\\u0022ok\\u0022:true"u8) >= 0 || span.IndexOf("\\\"ok\\\":true"u8) >= 0;
        }
    }

    public string Describe() => System.Text.Encoding.UTF8.GetString(line);
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
        RpcAnswer? result = null;
        Send(method, writeParams, a =>
        {
            result = a;
            done.Set();
        });
        if (WaitHandle.WaitAny([done.WaitHandle, _process.Eof.WaitHandle], timeout) != 0)
        {
            throw new BenchFailure($"{Name}: no answer to {method} within {timeout.TotalSeconds:0.#} s (exited: {_process.HasExited}); stderr: {_process.StderrTail}");
        }

        return result!;
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

    /// <summary>A tools/call whose answer, ok or not, goes to <paramref name="onAnswer"/> on the reader thread.</summary>
    public void SendTool(string tool, Action<Utf8JsonWriter> writeArguments, Action<RpcAnswer> onAnswer) =>
        Send("tools/call", w => WriteToolParams(w, tool, writeArguments), onAnswer);

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

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private void Write(string method, long? id, Action<Utf8JsonWriter>? writeParams)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        w.Reset(buffer);
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
            w.Flush();
        }

        _process.WriteLine(buffer.WrittenSpan);
    }

    private void OnLine(ReadOnlySpan<byte> line, long timestamp)
    {
        // One pass of a forward-only reader: the harness shares 2 cores with relay and must stay cheap.
        long? id = null;
        string? rawId = null;
        var isChannelPush = false;
        var hasMethod = false;
        string? content = null;
        Dictionary<string, string>? meta = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                    {
                        id = number;
                    }

                    rawId = System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        rawId = "\"" + rawId + "\"";
                    }
                }
                else if (reader.ValueTextEquals("method"u8))
                {
                    reader.Read();
                    hasMethod = true;
                    isChannelPush = reader.ValueTextEquals("notifications/claude/channel"u8);
                }
                else if (reader.ValueTextEquals("params"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("content"u8))
                        {
                            reader.Read();
                            content = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        }
                        else if (reader.ValueTextEquals("meta"u8))
                        {
                            reader.Read();
                            meta = ReadMeta(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Claude Code ignores non-JSON lines on stdout; so does the bench (but relay should never send them).
            return;
        }

        if (hasMethod)
        {
            if (isChannelPush)
            {
                OnPush?.Invoke(this, new ChannelPush(content ?? "", meta ?? [], timestamp));
            }
            else if (rawId is not null)
            {
                // A request from the server (ping, roots/list): answer with an empty result, as a client must.
                _process.WriteLine(System.Text.Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":" + rawId + ",\"result\":{}}"));
            }

            return;
        }

        if (id is not { } answerId)
        {
            return;
        }

        Action<RpcAnswer>? handler;
        lock (_gate)
        {
            if (!_pending.Remove(answerId, out handler))
            {
                return;
            }
        }

        handler(new RpcAnswer(line.ToArray(), timestamp));
    }

    private static Dictionary<string, string> ReadMeta(ref Utf8JsonReader reader)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return meta;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                meta[key] = reader.GetString()!;
            }
            else
            {
                // Not a string: Claude Code would drop the whole push. Keep the key so a check can see it.
                reader.Skip();
                meta[key] = "(non-string)";
            }
        }

        return meta;
    }

    /// <summary>Closes stdin (the channel should exit on EOF) and stops exactly this process.</summary>
    public bool Stop(TimeSpan grace) => _process.Stop(grace);

    public void Dispose() => _process.Dispose();
}
