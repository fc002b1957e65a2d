namespace Relay.Tests.Infrastructure;

/// <summary>A fact that builds a <see cref="NetLab"/>: skipped, loudly, only where network namespaces cannot be made.</summary>
public sealed class NetLabFactAttribute() : LoudSkipFactAttribute(NetLab.SkipReason);
