namespace Relay.Protocol.Client;

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

    public HubUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
