using Xunit;

namespace Relay.Tests.Infrastructure;

/// <summary>A fact that needs something this machine may lack: skipped, loudly, with the reason when it is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public abstract class LoudSkipFactAttribute : FactAttribute
{
    /// <param name="skipReason">Why the test cannot run here, or null when it can.</param>
    protected LoudSkipFactAttribute(string? skipReason)
    {
        if (skipReason is not null)
        {
            Skip = skipReason;
        }
    }
}
