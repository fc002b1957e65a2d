using Microsoft.Extensions.Logging;
using NLog.Extensions.Logging;

namespace Relay.Channels;

/// <summary>
/// The <see cref="ILoggerFactory"/> handed to the MCP SDK: its own transport and protocol errors go through NLog into
/// relay's log file (component = the SDK's category, e.g. <c>ModelContextProtocol.Server.StreamServerTransport</c>),
/// never to stdout. Relay's NLog configuration keeps the SDK's trace and debug chatter out.
/// </summary>
internal static class SdkLogging
{
    public static ILoggerFactory Create() => new NLogLoggerFactory();
}
