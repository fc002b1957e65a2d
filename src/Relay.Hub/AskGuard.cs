using System.Globalization;
using System.Runtime.CompilerServices;

namespace Relay.Hub;

/// <summary>
/// Keeps one asking peer from flooding the hub: a <see cref="TokenBucket"/> per asking connection (each
/// <c>ask</c> and each <c>broadcast</c> takes one token) and a bound on the asks one connection may have pending at
/// once (a broadcast adds one per target). Over either limit the request is refused with <c>rate_limited</c>.
/// Runs under the router's lock.
/// </summary>
internal sealed class AskGuard
{
    private readonly HubOptions _options;
    private readonly ConditionalWeakTable<IPeer, TokenBucket> _buckets = [];

    public AskGuard(HubOptions options) => _options = options;

    /// <summary>
    /// Null when <paramref name="asker"/> may add <paramref name="newAsks"/> pending asks now (a token is then taken);
    /// otherwise the reason, for the <c>rate_limited</c> err.
    /// </summary>
    public string? Refusal(IPeer asker, int newAsks)
    {
        var maxPending = _options.MaxPendingAsksPerPeer;
        if (maxPending > 0 && asker.AsksFrom.Count + (long)newAsks > maxPending)
        {
            return string.Create(CultureInfo.InvariantCulture, $"too many pending asks: at most {maxPending} may wait for replies at once; wait for some to end");
        }

        if (_options.AskRatePerSecond <= 0)
        {
            return null;
        }

        var bucket = _buckets.GetValue(asker, _ => new TokenBucket(_options.AskBurst, _options.AskRatePerSecond, _options.TimeProvider));
        return bucket.TryTake()
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"too many asks: at most {_options.AskRatePerSecond:0.##} per second (bursts of {_options.AskBurst}); slow down and retry");
    }
}
