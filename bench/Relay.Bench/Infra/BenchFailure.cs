namespace Relay.Bench.Infra;

/// <summary>The benchmark itself broke (a process did not answer, a tool failed): the only reason to exit non-zero.</summary>
internal sealed class BenchFailure : Exception
{
    public BenchFailure()
    {
    }

    public BenchFailure(string message)
        : base(message)
    {
    }

    public BenchFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
