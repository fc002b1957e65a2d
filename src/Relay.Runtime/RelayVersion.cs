using System.Reflection;

namespace Relay.Runtime;

/// <summary>The relay version (from Directory.Build.props): the MCP server version, <c>hub_status</c>, the hub's log.</summary>
public static class RelayVersion
{
    public static string Text { get; } =
        typeof(RelayVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
