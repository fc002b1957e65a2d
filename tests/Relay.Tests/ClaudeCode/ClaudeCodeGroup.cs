using Xunit;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// Every real Claude Code test runs in this one collection, alone: each test starts several Claude Code processes,
/// and running them beside the rest of the suite would overload a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClaudeCodeGroup
{
    public const string Name = "Claude Code";
}
