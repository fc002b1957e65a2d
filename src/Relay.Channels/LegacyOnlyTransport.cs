using System.Threading.Channels;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using NLog;
using Relay.Runtime;

namespace Relay.Channels;

/// <summary>
/// Keeps the connection on the <c>initialize</c> handshake (protocol 2025-11-25 and older) by answering
/// <c>server/discover</c> with <c>-32601 Method not found</c> before the MCP server sees it.
/// </summary>
/// <remarks>
/// Claude Code 2.1.332 probes every stdio server with <c>server/discover</c> first. The SDK (2.4) answers it, which
/// makes the connection "modern" (2026-07-28), and Claude Code does not register channels on a modern connection:
/// every <c>notifications/claude/channel</c> push would be dropped. Any JSON-RPC error other than -32022 keeps the
/// connection legacy; the client then sends <c>initialize</c> as before. Older Claude Code never sends the probe.
/// The reply goes out through the inner transport, which serializes it with every other outgoing message.
/// </remarks>
internal sealed class LegacyOnlyTransport : ITransport
{
    private readonly ITransport _inner;
    private readonly Logger _log;
    private readonly Channel<JsonRpcMessage> _incoming = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Task _pump;

    public LegacyOnlyTransport(ITransport inner, Logger log)
    {
        _inner = inner;
        _log = log;
        _pump = PumpAsync();
    }

    public string? SessionId => _inner.SessionId;

    public ChannelReader<JsonRpcMessage> MessageReader => _incoming.Reader;

    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) =>
        _inner.SendMessageAsync(message, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        Exception? failure = null;
        try
        {
            await foreach (var message in _inner.MessageReader.ReadAllAsync().ConfigureAwait(false))
            {
                if (message is JsonRpcRequest { Method: RequestMethods.ServerDiscover } discover)
                {
                    await RefuseAsync(discover).ConfigureAwait(false);
                    continue;
                }

                _incoming.Writer.TryWrite(message);
            }
        }
        catch (Exception ex)
        {
            // Whatever ended the inner reader ends ours the same way, so the server's run loop sees it.
            failure = ex;
        }
        finally
        {
            _incoming.Writer.TryComplete(failure);
        }
    }

    private async Task RefuseAsync(JsonRpcRequest discover)
    {
        _log.Event(LogLevel.Debug, "discover_refused", ("id", discover.Id.ToString()));
        var error = new JsonRpcError
        {
            Id = discover.Id,
            Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.MethodNotFound, Message = "Method not found" },
        };
        try
        {
            await _inner.SendMessageAsync(error, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // stdout is gone: the session is over and the stdin EOF path stops the channel.
            _log.Event(LogLevel.Debug, "discover_refuse_failed", ex);
        }
    }
}
