using Relay.Tests.Infrastructure;

namespace Relay.Tests.ClaudeCode;

/// <summary>A fact that needs the real Claude Code CLI: skipped, loudly, when it is not installed.</summary>
public sealed class ClaudeFactAttribute() : LoudSkipFactAttribute(ClaudeCli.IsAvailable ? null : ClaudeCli.SkipReason);
