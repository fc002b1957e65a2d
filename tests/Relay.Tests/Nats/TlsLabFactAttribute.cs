using Relay.Tests.Infrastructure;

namespace Relay.Tests.Nats;

/// <summary>A <see cref="NetLabFactAttribute"/> that also needs openssl: skipped, loudly, where either is missing.</summary>
public sealed class TlsLabFactAttribute() : LoudSkipFactAttribute(NetLab.SkipReason ?? TlsFiles.SkipReason);
