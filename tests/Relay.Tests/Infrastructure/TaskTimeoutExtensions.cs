namespace Relay.Tests.Infrastructure;

public static class TaskTimeoutExtensions
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    /// <summary>Fails fast with a clear message instead of hanging the run.</summary>
    public static async Task<T> WithTimeout<T>(this Task<T> task, TimeSpan? timeout = null, string? what = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out after {(timeout ?? Default).TotalSeconds:0.#} s waiting for {what ?? "the task"}");
        }
    }

    public static async Task WithTimeout(this Task task, TimeSpan? timeout = null, string? what = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out after {(timeout ?? Default).TotalSeconds:0.#} s waiting for {what ?? "the task"}");
        }
    }
}
