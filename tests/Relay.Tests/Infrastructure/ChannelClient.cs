using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Relay.Tests.Infrastructure;

/// <summary>
/// One real <c>relay mcp</c> channel driven like Claude Code drives it: the SDK's <see cref="McpClient"/> over the
/// process's stdin/stdout (initialize, notifications/initialized, tools/list), in a <see cref="RelaySandbox"/>.
/// The process is started here (not by StdioClientTransport) so tests get its pid, its stderr and its stdin.
/// Disposing kills exactly this pid.
/// <code>
/// await using var sandbox = new RelaySandbox();
/// await using var alice = await ChannelClient.StartAsync(sandbox, sandbox.WorkDir("alice"));
/// var reply = await alice.CallAsync("relay_ask", new() { ["to"] = "bob", ["question"] = "hi?" });
/// var ask = await bob.NextNotificationAsync();   // ask.Type == "ask", ask.Meta["ask_id"], ask.Content
/// </code>
/// </summary>
public sealed class ChannelClient : IAsyncDisposable
{
    /// <summary>The MCP protocol version Claude Code 2.1.197 sends.</summary>
    public const string ClaudeProtocolVersion = "2025-11-25";

    /// <summary>Generous: a JIT-compiled debug build on a loaded 2-core machine can take seconds to start.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Channel<ChannelMessage> _notifications = Channel.CreateUnbounded<ChannelMessage>();
    private McpClient? _mcp;

    private ChannelClient(Process process)
    {
        _process = process;
    }

    /// <summary>The SDK client (for raw calls such as ListToolsAsync or ServerCapabilities).</summary>
    public McpClient Mcp => _mcp ?? throw new InvalidOperationException("not connected");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the channel wrote to stderr so far (its logs: RELAY_LOG_STDERR=1 is set).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>relay mcp</c> in <paramref name="workDir"/> (default: the sandbox root) with the sandbox environment
    /// plus <paramref name="env"/> (a null value removes a variable), completes the MCP handshake and, like Claude
    /// Code, lists the tools (pass <paramref name="listTools"/> false to keep the push gate closed).
    /// </summary>
    public static async Task<ChannelClient> StartAsync(RelaySandbox sandbox, string? workDir = null, IReadOnlyDictionary<string, string?>? env = null, bool listTools = true)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var client = new ChannelClient(StartProcess(sandbox, workDir, env));
        client.CollectStderr();
        try
        {
            // The SDK client dispatches incoming notifications concurrently, which can reorder them; pushes are
            // therefore taken from the stdout bytes themselves, in wire order, before the SDK sees them.
            var stdout = new LineTapStream(client._process.StandardOutput.BaseStream, client.OnStdoutLine);
            var transport = new StreamClientTransport(client._process.StandardInput.BaseStream, stdout);
            var options = new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "relay-tests", Version = "1.0" },
                ProtocolVersion = ClaudeProtocolVersion,
            };
            client._mcp = await McpClient.CreateAsync(transport, options).WaitAsync(StartTimeout);
            if (listTools)
            {
                await client._mcp.ListToolsAsync().AsTask().WaitAsync(StartTimeout);
            }

            return client;
        }
        catch (Exception ex)
        {
            var stderr = client.Stderr;
            await client.DisposeAsync();
            throw new InvalidOperationException($"relay mcp did not start: {ex.Message}; stderr: {stderr}", ex);
        }
    }

    /// <summary>Calls a tool and parses its JSON text result.</summary>
    public async Task<ToolReply> CallAsync(string tool, Dictionary<string, object?>? args = null, TimeSpan? timeout = null)
    {
        var result = await Mcp.CallToolAsync(tool, args ?? []).AsTask().WaitAsync(timeout ?? TaskTimeoutExtensions.Default);
        var text = result.Content.OfType<TextContentBlock>().Single().Text;
        return new ToolReply(result.IsError == true, text, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>This channel's current relay name (<c>relay_peers</c>' <c>me</c>).</summary>
    public async Task<string> NameAsync()
    {
        var peers = await CallAsync("relay_peers");
        return peers.Ok ? peers.Str("me")! : throw new InvalidOperationException("relay_peers failed: " + peers.Text);
    }

    /// <summary>Waits for the next <c>notifications/claude/channel</c> push (in the order the channel wrote them).</summary>
    public async Task<ChannelMessage> NextNotificationAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? TaskTimeoutExtensions.Default;
        using var cts = new CancellationTokenSource(wait);
        try
        {
            return await _notifications.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no channel notification within {wait.TotalSeconds:0.#} s; stderr: {Stderr}");
        }
    }

    /// <summary>True when a notification arrived and has not been taken yet.</summary>
    public bool HasPendingNotification => _notifications.Reader.TryPeek(out _);

    /// <summary>Closes the channel's stdin (what Claude Code does last on session exit).</summary>
    public void CloseStdin() => _process.StandardInput.Close();

    public void Signal(int signal) => Posix.Kill(Pid, signal);

    /// <summary>Waits for the process to exit; false on timeout.</summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout) => Posix.WaitForExitAsync(Pid, timeout);

    private static Process StartProcess(RelaySandbox sandbox, string? workDir, IReadOnlyDictionary<string, string?>? env)
    {
        // These tests drive the channel-push path (an MCP client that is not Claude Code would get the pull path by
        // default); tests of the other paths set RELAY_DELIVERY themselves.
        var environment = sandbox.EnvWith(new Dictionary<string, string?> { ["RELAY_LOG_STDERR"] = "1", ["RELAY_DELIVERY"] = "channel" }, env);

        var process = new Process { StartInfo = TrackedProcess.StartInfo(RelayBinary.Path, ["mcp"], environment, workDir ?? sandbox.Root) };
        process.Start();
        return process;
    }

    private void OnStdoutLine(ReadOnlySpan<byte> line)
    {
        if (line.IndexOf("\"notifications/claude/channel\""u8) < 0)
        {
            return;
        }

        var message = JsonNode.Parse(line);
        if (message?["method"]?.GetValue<string>() == "notifications/claude/channel")
        {
            _notifications.Writer.TryWrite(ChannelMessage.Parse(message["params"]));
        }
    }

    private void CollectStderr()
    {
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Posix.Kill(Pid, Posix.SIGKILL);
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        if (_mcp is not null)
        {
            try
            {
                await _mcp.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is TimeoutException or IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }

        _process.Dispose();
    }
}

/// <summary>A tool result: <c>isError</c>, the text, and the text parsed as JSON.</summary>
public sealed record ToolReply(bool IsError, string Text, JsonElement Json)
{
    public bool Ok => !IsError && Json.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True;

    /// <summary>The error code of a failed call, or null.</summary>
    public string? Code => Str("code");

    /// <summary>A string property of the result, or null.</summary>
    public string? Str(string property) =>
        Json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A read-only stream that hands every complete line it passes through to a callback.</summary>
internal sealed class LineTapStream(Stream inner, LineTapStream.LineCallback onLine) : Stream
{
    private readonly MemoryStream _partial = new();

    public delegate void LineCallback(ReadOnlySpan<byte> line);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Tap(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Tap(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Tap(ReadOnlySpan<byte> bytes)
    {
        var count = bytes.Length;
        while (bytes.Length > 0)
        {
            var newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _partial.Write(bytes);
                break;
            }

            _partial.Write(bytes[..newline]);
            onLine(_partial.GetBuffer().AsSpan(0, (int)_partial.Length));
            _partial.SetLength(0);
            bytes = bytes[(newline + 1)..];
        }

        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _partial.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>One <c>notifications/claude/channel</c> push: its content, its meta, and the raw params.</summary>
public sealed record ChannelMessage(string Content, IReadOnlyDictionary<string, string> Meta, JsonNode Params)
{
    /// <summary>ask, reply or error.</summary>
    public string? Type => Meta.GetValueOrDefault("type");

    public string? Get(string key) => Meta.GetValueOrDefault(key);

    public static ChannelMessage Parse(JsonNode? parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var content = parameters["content"]?.GetValue<string>() ?? throw new FormatException("no content: " + parameters.ToJsonString());
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parameters["meta"] is JsonObject metaObject)
        {
            foreach (var (key, value) in metaObject)
            {
                // Non-string values are kept as their JSON text so a test can see them (Claude Code would drop the message).
                meta[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "null";
            }
        }

        return new ChannelMessage(content, meta, parameters.DeepClone());
    }
}
