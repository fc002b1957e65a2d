using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Relay.Tests.Infrastructure;

namespace Relay.Tests.Channels;

/// <summary>
/// A <c>relay mcp</c> process driven with hand-written JSON-RPC lines, for what the SDK client will not do (skipping
/// <c>notifications/initialized</c>). Every stdout line is parsed and queued.
/// </summary>
internal sealed class RawChannel : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonNode> _lines = Channel.CreateUnbounded<JsonNode>();

    private RawChannel(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                _lines.Writer.TryWrite(JsonNode.Parse(line)!);
            }
        };
        process.BeginOutputReadLine();
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>Lines received and not yet taken.</summary>
    public int Buffered => _lines.Reader.Count;

    public static RawChannel Start(RelaySandbox sandbox, string workDir, IReadOnlyDictionary<string, string?>? env = null)
    {
        // A raw client is not Claude Code: ask for the channel-push path these tests drive (env may override it).
        var environment = sandbox.EnvWith(new Dictionary<string, string?> { ["RELAY_DELIVERY"] = "channel" }, env);

        var info = TrackedProcess.StartInfo(RelayBinary.Path, ["mcp"], environment, workDir);
        return new RawChannel(Process.Start(info)!);
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<JsonNode> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await _lines.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, Posix.SIGKILL);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }
}
