using NLog;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Hub;

/// <summary>The per-asker limits (<see cref="AskGuard"/>) as the ask and broadcast handlers meet them.</summary>
internal sealed partial class Router
{
    private AskGuard? _askGuard;

    /// <summary>
    /// True (and <c>rate_limited</c> sent) when <paramref name="connection"/> may not add <paramref name="newAsks"/>
    /// pending asks now.
    /// </summary>
    private bool RateLimited(IPeer connection, string? reqId, string? askId, int newAsks)
    {
        _askGuard ??= new AskGuard(_options);
        if (_askGuard.Refusal(connection, newAsks) is not { } why)
        {
            return false;
        }

        if (_debug)
        {
            _log.Event(LogLevel.Debug, "ask_rate_limited", ("peer", connection.ToString()), ("ask_id", askId), ("pending", connection.AsksFrom.Count));
        }

        Send(connection, new ErrMessage { ReqId = reqId, Code = ErrorCodes.RateLimited, Message = why, AskId = askId });
        return true;
    }
}
