using Xunit;

namespace Relay.Tests.Infrastructure;

/// <summary>A fact that builds a <see cref="NetLab"/>: skipped, loudly, only where network namespaces cannot be made.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetLabFactAttribute : FactAttribute
{
    public NetLabFactAttribute()
    {
        if (NetLab.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
