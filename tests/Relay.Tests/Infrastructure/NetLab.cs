using System.Diagnostics;

namespace Relay.Tests.Infrastructure;

/// <summary>
/// A small private network for cross-host tests: one network namespace holding a bridge (the "switch", where
/// nats-server runs at 10.77.1.1) and one namespace per "host", each joined to the bridge by a veth pair
/// (10.77.1.2, .3, …). Addresses exist only inside these namespaces. Disposing kills exactly the processes started
/// here and deletes the namespaces (their veths go with them), whatever state the test left.
/// </summary>
public sealed class NetLab : IAsyncDisposable
{
    public const string SwitchAddress = "10.77.1.1";

    private readonly List<string> _namespaces = [];
    private readonly List<TrackedProcess> _processes = [];
    private readonly string _id = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next()))[..6].ToLowerInvariant();
    private int _hosts;

    private NetLab()
    {
        Switch = "rly" + _id + "s";
    }

    /// <summary>The namespace of the bridge and the NATS server.</summary>
    public string Switch { get; }

    /// <summary>Why namespaces cannot be used here, or null when they can (checked once: creates and deletes one).</summary>
    public static string? SkipReason { get; } = Probe();

    public static async Task<NetLab> CreateAsync()
    {
        var lab = new NetLab();
        try
        {
            await lab.AddNamespaceAsync(lab.Switch);
            await IpAsync("-n", lab.Switch, "link", "add", "br0", "type", "bridge");
            await IpAsync("-n", lab.Switch, "addr", "add", SwitchAddress + "/24", "dev", "br0");
            await IpAsync("-n", lab.Switch, "link", "set", "br0", "up");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds a host namespace on the bridge; returns its namespace name (its address is 10.77.1.(n+1)).</summary>
    public async Task<string> AddHostAsync()
    {
        var index = ++_hosts;
        var ns = $"rly{_id}h{index}";
        await AddNamespaceAsync(ns);
        var outside = $"rv{_id}{index}";
        await IpAsync("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns);
        await IpAsync("link", "set", outside, "netns", Switch);
        await IpAsync("-n", Switch, "link", "set", outside, "master", "br0");
        await IpAsync("-n", Switch, "link", "set", outside, "up");
        await IpAsync("-n", ns, "addr", "add", $"10.77.1.{index + 1}/24", "dev", "eth0");
        await IpAsync("-n", ns, "link", "set", "eth0", "up");
        return ns;
    }

    /// <summary>Cuts a host off the network (its link goes down) or brings it back.</summary>
    public static Task SetLinkAsync(string ns, bool up) => IpAsync("-n", ns, "link", "set", "eth0", up ? "up" : "down");

    /// <summary>Starts a process inside <paramref name="ns"/>; it is killed when the lab is disposed.</summary>
    public TrackedProcess Start(string ns, string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null, string? workingDirectory = null)
    {
        var process = TrackedProcess.Start("ip", ["netns", "exec", ns, fileName, .. args], env, workingDirectory);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Starts nats-server with JetStream in the switch namespace (store under <paramref name="storeDir"/>) and waits until it listens.</summary>
    /// <param name="storeDir">The JetStream store (unused with a configuration file, which sets its own).</param>
    /// <param name="configFile">A nats-server configuration file to start with instead (it sets listen and JetStream).</param>
    public async Task<TrackedProcess> StartNatsAsync(string storeDir, string? configFile = null)
    {
        var server = Start(Switch, "nats-server", configFile is null ? ["-a", SwitchAddress, "-p", "4222", "-js", "-sd", storeDir] : ["-c", configFile]);
        await WaitReadyAsync(server);
        return server;
    }

    public static string Url => $"nats://{SwitchAddress}:4222";

    /// <summary>The same server's URL for a client that must speak TLS.</summary>
    public static string TlsUrl => $"tls://{SwitchAddress}:4222";

    /// <summary>The client URLs of a <see cref="StartNatsClusterAsync"/> cluster of <paramref name="count"/> nodes.</summary>
    public static string ClusterUrls(int count) => string.Join(',', Enumerable.Range(0, count).Select(i => $"nats://{SwitchAddress}:{4222 + i}"));

    /// <summary>
    /// Starts a JetStream cluster of <paramref name="count"/> nats-server nodes in the switch namespace (clients on
    /// ports 4222…, routes on 6222…), stores under <paramref name="storeRoot"/>, and waits until each is ready.
    /// </summary>
    public async Task<List<TrackedProcess>> StartNatsClusterAsync(string storeRoot, int count = 3)
    {
        var routes = string.Join(',', Enumerable.Range(0, count).Select(i => $"nats://{SwitchAddress}:{6222 + i}"));
        var nodes = new List<TrackedProcess>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(Start(Switch, "nats-server",
            [
                "-a", SwitchAddress, "-p", (4222 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-n", "n" + (i + 1), "-js", "-sd", Path.Combine(storeRoot, "n" + (i + 1)),
                "--cluster_name", "relay", "--cluster", $"nats://{SwitchAddress}:{6222 + i}", "--routes", routes,
            ]));
        }

        foreach (var node in nodes)
        {
            await WaitReadyAsync(node);
        }

        return nodes;
    }

    private static async Task WaitReadyAsync(TrackedProcess server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!server.Stderr.Contains("Server is ready", StringComparison.Ordinal))
        {
            if (server.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("nats-server did not start: " + server.Stderr);
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<TrackedProcess> processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        foreach (var ns in _namespaces)
        {
            try
            {
                await IpAsync("netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    private async Task AddNamespaceAsync(string ns)
    {
        await IpAsync("netns", "add", ns);
        _namespaces.Add(ns);
        await IpAsync("-n", ns, "link", "set", "lo", "up");
    }

    private static async Task IpAsync(params string[] args)
    {
        var (code, output) = await RunAsync("ip", args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({code}): {output}");
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string fileName, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static string? Probe()
    {
        if (Posix.EffectiveUid() != 0)
        {
            return "NETWORK NAMESPACES UNAVAILABLE: cross-host NATS tests need root (ip netns)";
        }

        if (!File.Exists("/usr/sbin/nats-server") && !File.Exists("/usr/bin/nats-server"))
        {
            return "NATS-SERVER MISSING: install Debian's nats-server (test.sh does) to run the cross-host tests";
        }

        var ns = "rlyprobe" + Environment.ProcessId;
        try
        {
            var (code, output) = RunAsync("ip", ["netns", "add", ns]).GetAwaiter().GetResult();
            if (code != 0)
            {
                return "NETWORK NAMESPACES UNAVAILABLE: ip netns add failed: " + output.Trim();
            }

            RunAsync("ip", ["netns", "del", ns]).GetAwaiter().GetResult();
            return null;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return "NETWORK NAMESPACES UNAVAILABLE: cannot run ip: " + ex.Message;
        }
    }
}
