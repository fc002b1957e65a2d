using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// A fact that needs the oldest supported Claude Code CLI (<see cref="ClaudeCli.LegacyPath"/>): skipped, loudly, when
/// it is not installed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ClaudeLegacyFactAttribute : FactAttribute
{
    public ClaudeLegacyFactAttribute()
    {
        if (!ClaudeCli.IsLegacyAvailable)
        {
            Skip = ClaudeCli.LegacySkipReason;
        }
    }
}
