using System.Globalization;

namespace Relay.Inbox;

/// <summary>The Claude Code sessions running on this machine, from their <c>sessions/&lt;pid&gt;.json</c> records.</summary>
public sealed class ClaudeSessions(ClaudeHome home)
{
    public ClaudeHome Home { get; } = home ?? throw new ArgumentNullException(nameof(home));

    /// <summary>
    /// Live sessions whose inbox socket exists, ordered by pid. Unreadable, cut-off and foreign records are skipped,
    /// as are records whose file name does not match their pid.
    /// </summary>
    public IReadOnlyList<ClaudeSessionRecord> List() => [.. ListLive().Where(HasInbox)];

    /// <summary>
    /// Every live session, with or without an inbox socket (an old Claude Code, <c>--bare</c>, the inbox turned off),
    /// ordered by pid. The same records as <see cref="List"/> is drawn from; only the socket test is left out.
    /// </summary>
    public IReadOnlyList<ClaudeSessionRecord> ListLive()
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(Home.SessionsDir, "*.json");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var sessions = new List<ClaudeSessionRecord>();
        foreach (var file in files)
        {
            if (!int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var record = ClaudeSessionRecord.TryRead(file);
            if (record is not null && record.Pid == pid && IsLive(record))
            {
                sessions.Add(record);
            }
        }

        sessions.Sort((a, b) => a.Pid.CompareTo(b.Pid));
        return sessions;
    }

    /// <summary>The record of the session with this pid (e.g. the channel's parent), or null when there is none or it is stale.</summary>
    public ClaudeSessionRecord? ForPid(int pid)
    {
        var record = ClaudeSessionRecord.TryRead(Home.SessionFile(pid));
        return record is not null && record.Pid == pid && IsLive(record) ? record : null;
    }

    /// <summary>
    /// True when the record's process still runs: same pid domain (when both are known), the pid exists and is not a
    /// zombie, and its start time equals the record's <c>procStart</c>. A record without <c>procStart</c> is not
    /// trusted (Claude Code's own <c>ListAgents</c> skips it too), since its pid may have been reused.
    /// </summary>
    public static bool IsLive(ClaudeSessionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ProcStart is null)
        {
            return false;
        }

        if (record.PidDomain is { } domain && PidDomain.Current is { } current && !string.Equals(domain, current, StringComparison.Ordinal))
        {
            return false;
        }

        var stat = ProcessStat.TryRead(record.Pid);
        return stat is not null && !stat.IsZombie && string.Equals(stat.StartTime, record.ProcStart, StringComparison.Ordinal);
    }

    /// <summary>True when the record names an inbox socket that exists.</summary>
    public static bool HasInbox(ClaudeSessionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.MessagingSocketPath is { Length: > 0 } socket && Path.IsPathFullyQualified(socket) && File.Exists(socket);
    }
}
