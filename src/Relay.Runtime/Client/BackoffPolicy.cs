namespace Relay.Runtime.Client;

/// <summary>
/// How long to wait before the next try after some failures: a fixed schedule whose last step repeats. One type for
/// every retry loop that talks to the hub — the channel's reconnect (<see cref="Reconnect"/>), <c>relay listen</c>'s
/// reconnect (the same), and the poll for a freshly spawned hub (<see cref="SpawnPoll"/>).
/// </summary>
public sealed class BackoffPolicy
{
    private readonly TimeSpan[] _steps;

    public BackoffPolicy(params TimeSpan[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Length == 0 || steps.Any(s => s < TimeSpan.Zero))
        {
            throw new ArgumentException("a backoff needs at least one step, none negative", nameof(steps));
        }

        _steps = steps;
    }

    /// <summary>
    /// Reconnecting to a hub that went away: the first try at once (<see cref="Delay"/>(0) is zero), then after
    /// 100 ms, 500 ms, 1.5 s, 5 s, and 10 s from then on. A crashed hub is replaced within milliseconds by whichever client spawns the next one, so the early
    /// steps are short; a hub that stays away costs one connect attempt every 10 s.
    /// </summary>
    public static BackoffPolicy Reconnect { get; } = new(
        TimeSpan.FromMilliseconds(100),
        TimeSpan.FromMilliseconds(500),
        TimeSpan.FromMilliseconds(1500),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(10));

    /// <summary>
    /// Polling the socket of a hub just spawned: a native hub listens 10-30 ms after spawn and a refused connect
    /// costs microseconds, so retry every 1, 2, then 4 ms instead of doubling (a hub ready at 31 ms was found at
    /// 62 ms with doubling delays).
    /// </summary>
    public static BackoffPolicy SpawnPoll { get; } = new(
        TimeSpan.FromMilliseconds(1),
        TimeSpan.FromMilliseconds(2),
        TimeSpan.FromMilliseconds(4));

    /// <summary>The steps, in order; the last one repeats.</summary>
    public IReadOnlyList<TimeSpan> Steps => _steps;

    /// <summary>The wait before try number <paramref name="failures"/> + 1, after that many failed tries (0 = none).</summary>
    public TimeSpan Delay(int failures) => failures <= 0 ? TimeSpan.Zero : _steps[Math.Min(failures - 1, _steps.Length - 1)];
}
