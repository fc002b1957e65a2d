using Xunit;

namespace Relay.Tests.Infrastructure;

/// <summary>
/// A fact that acts as another user (runs a process under <see cref="OtherUser.Uid"/> with <c>setpriv</c>, or
/// chowns a directory to it): it needs root and <c>setpriv</c>. Skipped, loudly, when either is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OtherUserFactAttribute : FactAttribute
{
    public OtherUserFactAttribute()
    {
        if (OtherUser.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
