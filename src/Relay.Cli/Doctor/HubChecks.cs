using System.Globalization;
using Relay.Protocol;
using Relay.Runtime;

namespace Relay.Cli.Doctor;

/// <summary>Checks on the hub of this data dir and on hubs of other relay data dirs.</summary>
internal static class HubChecks
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public static async Task<IReadOnlyList<DoctorCheck>> RunAsync(DataDir dataDir, CancellationToken cancellationToken)
    {
        var socket = dataDir.SocketPath;
        var probe = await HubProbe.RunAsync(socket, ProbeTimeout, cancellationToken);
        const string stale = "stale socket";
        const string hub = "hub";
        var notRunning = DoctorCheck.Info(hub, "no hub running; the first Claude session (or `relay listen`) starts one");
        return probe.State switch
        {
            HubState.Missing => [DoctorCheck.Ok(stale, "no socket file left behind"), notRunning],
            HubState.Stale => [DoctorCheck.Fail(stale, $"{socket} exists but nothing answers ({probe.Detail}); a hub died without cleaning up", $"rm {FileChecks.Quote(socket)}   # the next session starts a fresh hub"), notRunning],
            HubState.Live => [DoctorCheck.Ok(stale, "the socket belongs to a live hub"), Describe(probe), .. NatsChecks.Run(probe.Status?.Nats)],
            HubState.Mismatch => [
                DoctorCheck.Ok(stale, "the socket belongs to a live hub"),
                new DoctorCheck
                {
                    Name = hub,
                    Status = CheckStatus.Fail,
                    Message = $"the hub{PidText(probe)} speaks protocol {probe.HubProtocol?.ToString(CultureInfo.InvariantCulture) ?? "?"}, this relay speaks {ProtocolVersion.Current}: sessions of this version cannot join ({probe.Detail})",
                    Fix = probe.Status is { } s ? $"kill {s.Pid}   # the next session starts a hub of this version" : "relay hub restart",
                    Pids = probe.Status is { } p ? [p.Pid] : null,
                },
            ],
            _ => [
                DoctorCheck.Ok(stale, "something listens on the socket"),
                DoctorCheck.Fail(hub, $"the hub at {socket} accepts connections but does not answer ({probe.Detail})", "relay hub restart"),
            ],
        };
    }

    private static DoctorCheck Describe(HubProbe probe)
    {
        if (probe.Status is not { } s)
        {
            return DoctorCheck.Warn("hub", $"a hub answers ({probe.Detail}) but not hub_status; it may be an older relay", "relay hub restart");
        }

        var uptime = Durations.Format(TimeSpan.FromMilliseconds(s.UptimeMs - (s.UptimeMs % 1000)));
        var version = s.Version is null ? string.Empty : $", relay {s.Version}";
        return new DoctorCheck
        {
            Name = "hub",
            Status = CheckStatus.Ok,
            Message = $"pid {s.Pid}, up {uptime}, protocol {s.ProtocolVersion}{version}, {s.PeerCount} peer(s), {s.PendingAsks} pending ask(s), {s.Observers} observer(s)",
            Pids = [s.Pid],
        };
    }

    private static string PidText(HubProbe probe) => probe.Status is { } s ? $" (pid {s.Pid})" : string.Empty;

    /// <summary>Other places a relay hub may run; peers there cannot reach peers here.</summary>
    public static async Task<DoctorCheck> OtherDataDirsAsync(DataDir dataDir, CancellationToken cancellationToken)
    {
        const string name = "other data dirs";
        var candidates = new List<string> { DataDir.InstalledPluginDataPath(), DataDir.FallbackPath() };
        if (Environment.GetEnvironmentVariable("CLAUDE_PLUGIN_DATA") is { Length: > 0 } pluginData)
        {
            candidates.Add(Path.GetFullPath(pluginData));
        }

        var live = new List<(string Dir, HubProbe Probe)>();
        foreach (var dir in candidates.Select(c => c.TrimEnd('/')).Distinct(StringComparer.Ordinal))
        {
            if (McpProcessCheck.SamePath(dir, dataDir.Path))
            {
                continue;
            }

            var probe = await HubProbe.RunAsync(Path.Combine(dir, "hub.sock"), ProbeTimeout, cancellationToken);
            if (probe.State is HubState.Live or HubState.Mismatch or HubState.Silent)
            {
                live.Add((dir, probe));
            }
        }

        if (live.Count == 0)
        {
            return DoctorCheck.Ok(name, "no other relay data dir has a live hub");
        }

        var pids = live.Where(l => l.Probe.Status is not null).Select(l => l.Probe.Status!.Pid).ToList();
        return new DoctorCheck
        {
            Name = name,
            Status = CheckStatus.Warn,
            Message = "another hub runs for " + string.Join(", ", live.Select(l => l.Dir + PidText(l.Probe))) + "; its peers cannot reach peers of " + dataDir.Path,
            Fix = $"use one data dir everywhere (relay --data-dir DIR, or unset CLAUDE_PLUGIN_DATA in terminals){(pids.Count > 0 ? "; or stop it: kill " + string.Join(' ', pids) : string.Empty)}",
            Pids = pids.Count > 0 ? pids : null,
        };
    }
}
