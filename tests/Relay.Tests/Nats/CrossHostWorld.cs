using Relay.Protocol.Messages;
using Relay.Tests.Infrastructure;

namespace Relay.Tests.Nats;

/// <summary>
/// Two "hosts" (network namespaces <c>ha</c> and <c>hb</c>) on a <see cref="NetLab"/> bridge, one nats-server with
/// JetStream on the bridge, and a relay hub per host joined to it, each with its own data dir. Presence lives
/// <see cref="PresenceTtl"/>, so a host cut off loses its peers on the other host within about 1.25 × that.
/// </summary>
internal sealed class CrossHostWorld : IAsyncDisposable
{
    public static readonly TimeSpan PresenceTtl = TimeSpan.FromSeconds(5);

    public const string Space = "test";

    /// <summary>Generous bound for anything that crosses NATS on a loaded two-core machine.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    private readonly List<RawHubClient> _clients = [];
    private readonly List<RelaySandbox> _extra = [];

    private CrossHostWorld(NetLab lab, RelaySandbox store, Host a, Host b, List<TrackedProcess> servers, string urls, TlsFiles? tls)
    {
        Servers = servers;
        Urls = urls;
        Tls = tls;
        Lab = lab;
        Store = store;
        A = a;
        B = b;
    }

    public NetLab Lab { get; }

    private RelaySandbox Store { get; }

    public Host A { get; }

    /// <summary>The nats-server processes (one, or the cluster's nodes).</summary>
    public List<TrackedProcess> Servers { get; }

    public Host B { get; }

    /// <summary>The URLs the hubs join (<c>tls://…</c> for a TLS world).</summary>
    public string Urls { get; }

    /// <summary>The certificates of a TLS world, or null.</summary>
    public TlsFiles? Tls { get; }


    /// <param name="clusterNodes">0: one nats-server; otherwise a JetStream cluster of that many nodes, replicas = nodes.</param>
    /// <param name="secured">One server whose space is an account with a user per host (<see cref="SpaceAccounts"/>).</param>
    /// <param name="tls">One server speaking only TLS and verifying clients (<see cref="TlsFiles"/>, made for <c>ha</c> and <c>hb</c>); each hub joins with the CA and its own client certificate.</param>
    /// <param name="live">With <paramref name="secured"/>: which live-path lines the hosts' permissions have.</param>
    /// <param name="hubEnv">More environment for both hubs.</param>
    public static async Task<CrossHostWorld> StartAsync(int clusterNodes = 0, bool secured = false, bool tls = false, SpaceAccounts.Live live = SpaceAccounts.Live.Full, IReadOnlyDictionary<string, string?>? hubEnv = null)
    {
        var lab = await NetLab.CreateAsync();
        var store = new RelaySandbox();
        var sandboxes = new List<RelaySandbox> { store };
        try
        {
            string? config = null;
            if (secured)
            {
                config = Path.Combine(store.Root, "nats.conf");
                await File.WriteAllTextAsync(config, SpaceAccounts.Config(Space, ["ha", "hb"], NetLab.SwitchAddress + ":4222", Path.Combine(store.Root, "jetstream"), live));
            }

            TlsFiles? certificates = null;
            if (tls)
            {
                certificates = await TlsFiles.CreateAsync(Path.Combine(store.Root, "tls"), NetLab.SwitchAddress, ["ha", "hb"]);
                config = Path.Combine(store.Root, "nats.conf");
                await File.WriteAllTextAsync(config, certificates.ServerConfig(NetLab.SwitchAddress + ":4222", Path.Combine(store.Root, "jetstream")));
            }

            var servers = clusterNodes > 0
                ? await lab.StartNatsClusterAsync(Path.Combine(store.Root, "jetstream"), clusterNodes)
                : [await lab.StartNatsAsync(Path.Combine(store.Root, "jetstream"), config)];
            var urls = clusterNodes > 0 ? NetLab.ClusterUrls(clusterNodes) : tls ? NetLab.TlsUrl : NetLab.Url;
            var replicas = Math.Max(1, clusterNodes);
            var a = await StartHostAsync(lab, "ha", urls, replicas, sandboxes, secured, certificates?.HubArgs("ha"), hubEnv);
            var b = await StartHostAsync(lab, "hb", urls, replicas, sandboxes, secured, certificates?.HubArgs("hb"), hubEnv);
            return new CrossHostWorld(lab, store, a, b, servers, urls, certificates);
        }
        catch
        {
            await lab.DisposeAsync();
            foreach (var sandbox in sandboxes)
            {
                await sandbox.DisposeAsync();
            }

            throw;
        }
    }

    private static async Task<Host> StartHostAsync(NetLab lab, string name, string urls, int replicas, List<RelaySandbox> sandboxes, bool secured, IEnumerable<string>? extraArgs = null, IReadOnlyDictionary<string, string?>? extraEnv = null)
    {
        var ns = await lab.AddHostAsync();
        var sandbox = new RelaySandbox(TimeSpan.Zero);
        sandboxes.Add(sandbox);
        var env = new Dictionary<string, string?>(sandbox.Env)
        {
            ["RELAY_NATS_PRESENCE_TTL_MS"] = ((long)PresenceTtl.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RELAY_HUB_NATIVE_SESSIONS"] = "0",
            ["RELAY_HUB_IDLE_EXIT_MS"] = "0",
            ["RELAY_NATS_REPLICAS"] = replicas.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extraEnv ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        List<string> args = ["hub", "--data-dir", sandbox.DataDir, "--nats", urls, "--host", name, "--space", Space];
        if (secured)
        {
            args.AddRange(["--nats-user", name, "--nats-password", SpaceAccounts.Password(name)]);
        }

        args.AddRange(extraArgs ?? []);

        var hub = lab.Start(ns, RelayBinary.Path, args, env, sandbox.Root);
        await sandbox.WaitForSocketAsync(hub, TimeSpan.FromSeconds(30));
        return new Host(name, ns, sandbox, hub);
    }

    /// <summary>One more host on the lab, its hub joining the single server as NATS user <paramref name="user"/> with <paramref name="password"/>.</summary>
    public async Task<Host> AddHostAsync(string name, string user, string password)
    {
        var sandboxes = new List<RelaySandbox>();
        try
        {
            return await StartHostAsync(Lab, name, NetLab.Url, 1, sandboxes, secured: false, ["--nats-user", user, "--nats-password", password]);
        }
        finally
        {
            _extra.AddRange(sandboxes);
        }
    }

    /// <summary>One more host on the lab, its hub joining <see cref="Urls"/> with <paramref name="hubArgs"/> added to its command line.</summary>
    public async Task<Host> AddHostAsync(string name, IEnumerable<string> hubArgs)
    {
        var sandboxes = new List<RelaySandbox>();
        try
        {
            return await StartHostAsync(Lab, name, Urls, 1, sandboxes, secured: false, hubArgs);
        }
        finally
        {
            _extra.AddRange(sandboxes);
        }
    }

    public async Task<RawHubClient> PeerAsync(Host host, string name)
    {
        var client = await RawHubClient.RegisterAsync(host.Sandbox.SocketPath, name);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> to <paramref name="subject"/> from inside <paramref name="from"/>'s
    /// namespace as NATS user <paramref name="user"/>, speaking the NATS protocol by hand (bash and /dev/tcp): what any
    /// program holding that host's credentials could do. Returns what the server answered (INFO, any -ERR, PONG).
    /// </summary>
    public Task<string> RawPublishAsync(Host from, string user, string subject, string payload) =>
        RawAsync(from, user, $"PUB {subject} {System.Text.Encoding.UTF8.GetByteCount(payload)}\r\n{payload}\r\n");

    /// <summary>Subscribes to <paramref name="subject"/> the same way; returns what the server answered.</summary>
    public Task<string> RawSubscribeAsync(Host from, string user, string subject) => RawAsync(from, user, $"SUB {subject} 1\r\n");

    /// <summary>
    /// Whether anybody listens on <paramref name="subject"/>: publishes an empty message there with a reply subject, as
    /// a client that wants NATS's "no responders" status, and looks for that status.
    /// </summary>
    public async Task<bool> NobodyListensAsync(Host from, string user, string subject)
    {
        var answer = await RawAsync(from, user, $"SUB probe.reply 1\r\nPUB {subject} probe.reply 0\r\n\r\n", headers: true);
        return answer.Contains("NATS/1.0 503", StringComparison.Ordinal);
    }

    private async Task<string> RawAsync(Host from, string user, string commands, bool headers = false)
    {
        const string Script = """
            exec 3<>/dev/tcp/$NATS_ADDR/4222
            read -r -t 5 line <&3; echo "$line"
            printf 'CONNECT {"user":"%s","pass":"%s","verbose":false,"pedantic":false%s}\r\n%sPING\r\n' "$NATS_USER" "$NATS_PASS" "$NATS_CONNECT_MORE" "$NATS_COMMANDS" >&3
            while read -r -t 5 line <&3; do echo "$line"; case "$line" in PONG*) break;; esac; done
            """;
        var env = new Dictionary<string, string?>
        {
            ["NATS_ADDR"] = NetLab.SwitchAddress,
            ["NATS_USER"] = user,
            ["NATS_PASS"] = SpaceAccounts.Password(user),
            ["NATS_COMMANDS"] = commands,
            ["NATS_CONNECT_MORE"] = headers ? ""","headers":true,"no_responders":true""" : "",
        };
        var process = Lab.Start(from.Namespace, "bash", ["-c", Script], env);
        await process.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return process.Stdout;
    }

    /// <summary>The <c>nats</c> part of <paramref name="host"/>'s <c>hub_status_reply</c>.</summary>
    public static async Task<NatsStatusInfo> NatsStatusAsync(Host host)
    {
        var status = await HubStatusProbe.QueryAsync(host.Sandbox.SocketPath) ?? throw new Xunit.Sdk.XunitException($"{host.Name}'s hub did not answer hub_status");
        return status.Nats ?? throw new Xunit.Sdk.XunitException($"{host.Name}'s hub reports no nats status");
    }

    /// <summary>Waits until <paramref name="host"/>'s hub log has an <paramref name="eventName"/> event.</summary>
    public static async Task WaitForLogAsync(Host host, string eventName)
    {
        var deadline = DateTime.UtcNow + Wait;
        var needle = $"\"event\":\"{eventName}\"";
        while (true)
        {
            foreach (var file in Directory.Exists(host.Sandbox.DataDir) ? Directory.EnumerateFiles(host.Sandbox.DataDir, "*.log", SearchOption.AllDirectories) : [])
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                if ((await reader.ReadToEndAsync()).Contains(needle, StringComparison.Ordinal))
                {
                    return;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {eventName} in {host.Name}'s hub log after {Wait.TotalSeconds} s");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Polls <c>list_peers</c> on <paramref name="client"/> until <paramref name="name"/> of <paramref name="host"/> is (or is no longer) listed.</summary>
    public static async Task<PeerInfo?> WaitForPeerAsync(RawHubClient client, string name, string host, bool present = true)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var peers = await client.RequestAsync<PeersMessage>(new ListPeersMessage());
            var found = peers.Peers.FirstOrDefault(p => p.Name == name && p.Host == host);
            if ((found is not null) == present)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{name}@{host} still {(present ? "absent from" : "listed by")} {client.Name}'s hub after {Wait.TotalSeconds} s");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Lab.DisposeAsync();
        if (Environment.GetEnvironmentVariable("RELAY_TEST_KEEP_LOGS") is { Length: > 0 } keep)
        {
            foreach (var host in new[] { A, B })
            {
                var target = Path.Combine(keep, host.Name);
                Directory.CreateDirectory(target);
                foreach (var file in Directory.EnumerateFiles(host.Sandbox.DataDir, "*.log", SearchOption.AllDirectories))
                {
                    File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
                }
            }
        }

        foreach (var sandbox in _extra)
        {
            await sandbox.DisposeAsync();
        }

        await A.Sandbox.DisposeAsync();
        await B.Sandbox.DisposeAsync();
        await Store.DisposeAsync();
    }

    internal sealed record Host(string Name, string Namespace, RelaySandbox Sandbox, TrackedProcess Hub);
}
