using Relay.Runtime;

namespace Relay.Cli.Doctor;

/// <summary>
/// Finds <c>relay mcp</c> processes serving this data dir whose Claude Code session is gone. Only reads /proc and
/// never signals anything: the fix names the pids to kill.
/// </summary>
internal static class McpProcessCheck
{
    public const string Name = "mcp processes";

    /// <summary>How far up the parent chain a Claude Code process may sit (a launcher shell may sit in between).</summary>
    private const int MaxAncestors = 3;

    public static DoctorCheck Run(DataDir dataDir)
    {
        var self = Environment.ProcessId;
        var selfExe = Environment.ProcessPath;
        var orphans = new List<(int Pid, string Why)>();
        var strays = new List<(int Pid, string Why)>();
        var healthy = 0;
        foreach (var pid in ProcessInfo.AllPids())
        {
            if (pid == self || ProcessInfo.Read(pid) is not { } process || process.State == 'Z' || !IsRelayMcp(process, selfExe))
            {
                continue;
            }

            if (!SamePath(DataDirOf(process), dataDir.Path))
            {
                continue;
            }

            var parent = process.ParentPid > 1 ? ProcessInfo.Read(process.ParentPid) : null;
            if (parent is null || parent.State == 'Z')
            {
                orphans.Add((pid, "its parent exited"));
            }
            else if (UnderClaude(parent))
            {
                healthy++;
            }
            else
            {
                strays.Add((pid, $"runs under {parent.Comm} (pid {parent.Pid}), not a Claude Code session"));
            }
        }

        if (orphans.Count == 0 && strays.Count == 0)
        {
            return DoctorCheck.Ok(Name, healthy == 0 ? "no relay mcp processes for this data dir" : $"{healthy} relay mcp process(es), each under a Claude Code session; no orphans");
        }

        var all = orphans.Concat(strays).ToList();
        var fix = "kill " + string.Join(' ', all.Select(o => o.Pid));
        var message = string.Join("; ", all.Select(o => $"relay mcp pid {o.Pid} {o.Why}"));
        return orphans.Count > 0
            ? new DoctorCheck { Name = Name, Status = CheckStatus.Fail, Message = "orphaned: " + message, Fix = fix, Pids = [.. all.Select(o => o.Pid)] }
            : new DoctorCheck { Name = Name, Status = CheckStatus.Warn, Message = message, Fix = fix + "   # if it is left over", Pids = [.. all.Select(o => o.Pid)] };
    }

    /// <summary>
    /// A relay executable (this one, or any file named relay, or <c>dotnet relay.dll</c>) running the <c>mcp</c> role.
    /// </summary>
    public static bool IsRelayMcp(ProcessInfo process, string? selfExe)
    {
        var args = process.Args;
        if (args.Count == 0)
        {
            return false;
        }

        var exe = process.Exe ?? args[0];
        int first;
        if ((selfExe is not null && exe == selfExe) || Path.GetFileName(exe) == "relay")
        {
            first = 1;
        }
        else if (Path.GetFileName(exe).StartsWith("dotnet", StringComparison.Ordinal) && args.Count > 1 && Path.GetFileName(args[1]) == "relay.dll")
        {
            first = 2;
        }
        else
        {
            return false;
        }

        return Role(args, first) == "mcp";
    }

    private static string? Role(IReadOnlyList<string> args, int first)
    {
        for (var i = first; i < args.Count; i++)
        {
            if (args[i] == "--data-dir")
            {
                i++;
                continue;
            }

            if (!args[i].StartsWith('-'))
            {
                return args[i];
            }
        }

        return null;
    }

    /// <summary>The data dir the process resolved, by the same rules as <see cref="DataDir.Resolve(string?, Func{string, string?}, string, string?)"/> applied to its own environment.</summary>
    public static string? DataDirOf(ProcessInfo process)
    {
        var args = process.Args;
        string? explicitPath = null;
        for (var i = 1; i < args.Count && string.IsNullOrEmpty(explicitPath); i++)
        {
            explicitPath = args[i] == "--data-dir" && i + 1 < args.Count ? args[i + 1]
                : args[i].StartsWith("--data-dir=", StringComparison.Ordinal) ? args[i]["--data-dir=".Length..]
                : null;
        }

        // Its environment matters only without --data-dir (and may be unreadable: another user's process).
        var env = string.IsNullOrEmpty(explicitPath) ? process.ReadEnvironment() : new Dictionary<string, string>();
        if (env is null)
        {
            return null;
        }

        return DataDir.Resolve(explicitPath, env.GetValueOrDefault, process.ReadCwd() ?? "/", env.GetValueOrDefault("HOME"))?.Path;
    }

    private static bool UnderClaude(ProcessInfo parent)
    {
        for (var (process, depth) = (parent, 0); process is not null && depth < MaxAncestors; process = process.ParentPid > 1 ? ProcessInfo.Read(process.ParentPid) : null, depth++)
        {
            if (IsClaude(process))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The native <c>claude</c> binary, or node running Claude Code's <c>cli.js</c>.</summary>
    private static bool IsClaude(ProcessInfo process) =>
        process.Comm.Contains("claude", StringComparison.OrdinalIgnoreCase)
        || process.Args.Take(2).Any(a => a.Contains("claude", StringComparison.OrdinalIgnoreCase));

    public static bool SamePath(string? a, string b) => a is not null && string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.Ordinal);
}
