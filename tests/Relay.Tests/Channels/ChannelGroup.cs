using Relay.Tests.Infrastructure;

namespace Relay.Tests.Channels;

/// <summary>Several channels of one sandbox started together and stopped together.</summary>
internal sealed class ChannelGroup : IAsyncDisposable
{
    private readonly List<ChannelClient> _channels = [];

    public IReadOnlyList<ChannelClient> Channels => _channels;

    public ChannelClient this[int index] => _channels[index];

    /// <summary>Starts one channel per name, each in its own working directory named so (its default peer name).</summary>
    public static Task<ChannelGroup> StartNamedAsync(RelaySandbox sandbox, params string[] names) =>
        StartAsync(sandbox, names.Select(sandbox.WorkDir));

    /// <summary>Starts one channel per working directory, all at once, and waits until each is registered.</summary>
    public static async Task<ChannelGroup> StartAsync(RelaySandbox sandbox, IEnumerable<string> workDirs, IReadOnlyDictionary<string, string?>? env = null)
    {
        var group = new ChannelGroup();
        var starts = workDirs.Select(dir => ChannelClient.StartAsync(sandbox, dir, env)).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }

            throw;
        }

        group._channels.AddRange(starts.Select(s => s.Result));
        try
        {
            // relay_peers waits for the channel's own registration, so afterwards every channel is on the hub.
            await Task.WhenAll(group._channels.Select(c => c.NameAsync()));
        }
        catch
        {
            await group.DisposeAsync();
            throw;
        }

        return group;
    }

    public void Deconstruct(out ChannelClient first, out ChannelClient second) => (first, second) = (_channels[0], _channels[1]);

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            await channel.DisposeAsync();
        }
    }
}
