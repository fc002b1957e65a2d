namespace Relay.Channels;

/// <summary>A tool was called with missing, wrong-typed or oversized arguments.</summary>
internal sealed class BadArgsException : Exception
{
    public BadArgsException()
    {
    }

    public BadArgsException(string message)
        : base(message)
    {
    }

    public BadArgsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
