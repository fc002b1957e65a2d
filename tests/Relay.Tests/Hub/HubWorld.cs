using Relay.Tests.Infrastructure;

namespace Relay.Tests.Hub;

/// <summary>One test's hub: a sandbox, a foreground <c>relay hub</c> process, and the raw clients the test opened.</summary>
internal sealed class HubWorld : IAsyncDisposable
{
    private readonly List<RawHubClient> _clients = [];

    private HubWorld(RelaySandbox sandbox, TrackedProcess hub)
    {
        Sandbox = sandbox;
        Hub = hub;
    }

    public RelaySandbox Sandbox { get; }

    public TrackedProcess Hub { get; }

    public string SocketPath => Sandbox.SocketPath;

    public static async Task<HubWorld> StartAsync(IReadOnlyDictionary<string, string?>? env = null, TimeSpan? idleExit = null)
    {
        var sandbox = new RelaySandbox(idleExit);
        try
        {
            foreach (var (key, value) in env ?? new Dictionary<string, string?>())
            {
                sandbox.Env[key] = value;
            }

            var hub = await sandbox.StartHubAsync();
            return new HubWorld(sandbox, hub);
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>A registered peer.</summary>
    public async Task<RawHubClient> PeerAsync(string name, string? kind = "cli") => Track(await RawHubClient.RegisterAsync(SocketPath, name, kind));

    /// <summary>A connection that has not registered.</summary>
    public async Task<RawHubClient> ConnectAsync() => Track(await RawHubClient.ConnectAsync(SocketPath));

    public RawHubClient Track(RawHubClient client)
    {
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Sandbox.DisposeAsync();
    }
}
