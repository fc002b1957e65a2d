namespace Relay.Tests.Infrastructure;

/// <summary>
/// A fact that acts as another user (runs a process under <see cref="OtherUser.Uid"/> with <c>setpriv</c>, or
/// chowns a directory to it): it needs root and <c>setpriv</c>. Skipped, loudly, when either is missing.
/// </summary>
public sealed class OtherUserFactAttribute() : LoudSkipFactAttribute(OtherUser.SkipReason);
