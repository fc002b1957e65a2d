using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>A fact that needs the real Claude Code CLI: skipped, loudly, when it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ClaudeFactAttribute : FactAttribute
{
    public ClaudeFactAttribute()
    {
        if (!ClaudeCli.IsAvailable)
        {
            Skip = ClaudeCli.SkipReason;
        }
    }
}
