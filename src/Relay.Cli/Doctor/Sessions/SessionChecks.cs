using Relay.Channels.Delivery;
using Relay.Inbox;

namespace Relay.Cli.Doctor.Sessions;

/// <summary>
/// One check per live Claude Code session (<c>sessions/&lt;pid&gt;.json</c> with a running process): which path relay
/// traffic takes into it, and whether Claude Code will refuse or hold what arrives. Reads /proc and a few small
/// settings files; no network.
/// </summary>
internal static class SessionChecks
{
    public const string NoSessionsName = "claude sessions";

    public static IReadOnlyList<DoctorCheck> Run(ClaudeHome home, string policyFile = SessionSettingsReader.PolicyFile)
    {
        ArgumentNullException.ThrowIfNull(home);
        var sessions = new ClaudeSessions(home).ListLive();
        if (sessions.Count == 0)
        {
            return [DoctorCheck.Info(NoSessionsName, $"no live Claude Code sessions in {home.SessionsDir}")];
        }

        var channels = RelayChannelProcesses.BySession(sessions.Select(s => s.Pid).ToHashSet());
        return [.. sessions.Select(s => Check(home, s, channels.GetValueOrDefault(s.Pid), policyFile))];
    }

    private static DoctorCheck Check(ClaudeHome home, ClaudeSessionRecord record, ProcessInfo? channel, string policyFile)
    {
        var args = ParentCommandLine.Read(record.Pid);
        var inboxSocket = ClaudeSessions.HasInbox(record) ? record.MessagingSocketPath : null;
        var reach = SessionReach.Decide(channel is not null, channel is null ? null : DeliverySetting(channel), args, inboxSocket, record.Version);
        var layers = SessionSettingsReader.Read(home, args, record.Cwd, ProcessInfo.Read(record.Pid)?.ReadCwd(), policyFile);
        var inbound = InboundPolicy.Resolve(layers);
        var mode = PermissionMode.Resolve(args, layers);

        var findings = new List<SessionFinding> { new(reach.Status, reach.Message, reach.Fix) };
        if (reach.ThroughInbox)
        {
            findings.AddRange(layers.Where(l => l.Error is not null).Select(l => new SessionFinding(CheckStatus.Warn, $"could not read {l.Where} ({l.Error}); Claude Code may read it differently", $"fix {l.Where}")));
            findings.AddRange(InboundFindings.Explain(inbound, mode, args, Path.Combine(home.ConfigDir, "settings.json"), writtenByOwnChild: reach.Via == SessionReach.ViaChannel));
        }

        var status = Worst(findings.Select(f => f.Status));
        var name = record.Name is { Length: > 0 } n ? n : "pid " + record.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var about = $"pid {record.Pid}, {record.Cwd ?? "cwd unknown"}, Claude Code {record.Version ?? "version unknown"}";
        var fixes = findings.Where(f => f.Fix is not null && f.Status != CheckStatus.Ok).Select(f => f.Fix!).ToList();
        return new DoctorCheck
        {
            Name = "session " + name,
            Status = status,
            Message = about + ": " + string.Join("; ", findings.Select(f => f.Message)),
            Fix = fixes.Count == 0 ? null : string.Join("; and ", fixes),
            Pids = [record.Pid],
            Session = new SessionReport
            {
                Pid = record.Pid,
                Name = record.Name,
                Cwd = record.Cwd,
                Version = record.Version,
                Path = reach.Path,
                Via = reach.Via,
                InboxSocket = inboxSocket,
                McpPid = channel?.Pid,
                ChannelFlag = ParentCommandLine.NamesRelayChannel(args),
                CrossSessionInbound = inbound.Value,
                CrossSessionInboundFrom = inbound.DecidedBy?.Where,
                PermissionMode = mode.Mode,
                PermissionModeFrom = mode.Source,
                Findings = findings,
            },
        };
    }

    /// <summary>The channel's <c>--delivery</c>, else its <c>RELAY_DELIVERY</c>: what overrides its automatic choice.</summary>
    private static string? DeliverySetting(ProcessInfo channel) =>
        SessionSettingsReader.OptionValue(channel.Args, "--delivery") is { Length: > 0 } flag ? flag
        : channel.ReadEnvironment()?.GetValueOrDefault("RELAY_DELIVERY") is { Length: > 0 } env ? env
        : null;

    private static string Worst(IEnumerable<string> statuses)
    {
        var all = statuses.ToList();
        return all.Contains(CheckStatus.Warn) ? CheckStatus.Warn : all.Contains(CheckStatus.Info) ? CheckStatus.Info : CheckStatus.Ok;
    }
}
