using Relay.Tests.Infrastructure;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// A fact that needs the oldest supported Claude Code CLI (<see cref="ClaudeCli.LegacyPath"/>): skipped, loudly, when
/// it is not installed.
/// </summary>
public sealed class ClaudeLegacyFactAttribute() : LoudSkipFactAttribute(ClaudeCli.IsLegacyAvailable ? null : ClaudeCli.LegacySkipReason);
