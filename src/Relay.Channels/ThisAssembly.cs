using System.Reflection;

namespace Relay.Channels;

internal static class ThisAssembly
{
    /// <summary>The product version (from Directory.Build.props), reported as the MCP server version.</summary>
    public static string Version { get; } =
        typeof(ThisAssembly).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
