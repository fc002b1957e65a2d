namespace Relay.Runtime.Client;

/// <summary>The hub socket is missing, refused the connection, or closed while a request was in flight.</summary>
public sealed class HubUnreachableException : Exception
{
    public HubUnreachableException()
        : base("the relay hub is unreachable")
    {
    }

    public HubUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>With the exception that made the hub unreachable; null when there is none.</summary>
    public HubUnreachableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
