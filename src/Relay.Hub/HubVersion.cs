using System.Reflection;

namespace Relay.Hub;

/// <summary>The relay version this hub was built as, for <c>hub_status</c>.</summary>
internal static class HubVersion
{
    public static string Text { get; } =
        typeof(HubVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
