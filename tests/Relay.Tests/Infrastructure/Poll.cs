namespace Relay.Tests.Infrastructure;

/// <summary>Polls for a condition instead of sleeping for a guessed time; fails with what it waited for.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        ForAsync(() => Task.FromResult(condition()), done => done, timeout ?? DefaultTimeout, what);

    /// <summary>Waits until the asynchronous <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        ForAsync(condition, done => done, timeout ?? DefaultTimeout, what);

    /// <summary>Probes until <paramref name="done"/> accepts the value, and returns that value.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {value}");
            }

            await Task.Delay(Interval);
        }
    }
}
