namespace Relay.Cli.Doctor.Sessions;

/// <summary>
/// The <c>relay mcp</c> processes running on this machine, by the Claude Code session they serve: the nearest
/// ancestor (a launcher shell may sit in between) among the given session pids. One pass over /proc.
/// </summary>
internal static class RelayChannelProcesses
{
    /// <summary>How far up the parent chain the session may sit.</summary>
    private const int MaxAncestors = 3;

    public static IReadOnlyDictionary<int, ProcessInfo> BySession(IReadOnlySet<int> sessionPids)
    {
        ArgumentNullException.ThrowIfNull(sessionPids);
        var found = new Dictionary<int, ProcessInfo>();
        if (sessionPids.Count == 0)
        {
            return found;
        }

        var self = Environment.ProcessId;
        var selfExe = Environment.ProcessPath;
        foreach (var pid in ProcessInfo.AllPids())
        {
            if (pid == self || sessionPids.Contains(pid) || ProcessInfo.Read(pid) is not { } process || process.State == 'Z' || !McpProcessCheck.IsRelayMcp(process, selfExe))
            {
                continue;
            }

            var parent = process.ParentPid;
            for (var depth = 0; depth < MaxAncestors && parent > 1; depth++)
            {
                if (sessionPids.Contains(parent))
                {
                    found.TryAdd(parent, process);
                    break;
                }

                parent = ProcessInfo.Read(parent)?.ParentPid ?? 0;
            }
        }

        return found;
    }
}
