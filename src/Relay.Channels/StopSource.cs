namespace Relay.Channels;

/// <summary>The first reason to stop wins: stdin EOF, a signal, the parent gone, or the caller's cancellation.</summary>
internal sealed class StopSource : IDisposable
{
    private readonly TaskCompletionSource<string> _reason = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>Completes with the reason of the first stop request.</summary>
    public Task<string> Reason => _reason.Task;

    /// <summary>Cancelled on the first stop request.</summary>
    public CancellationToken Token => _cancel.Token;

    public void Request(string reason)
    {
        if (_reason.TrySetResult(reason))
        {
            _cancel.Cancel();
        }
    }

    // Safe against late requests (a signal during exit): only the first request touches the token source.
    public void Dispose() => _cancel.Dispose();
}
