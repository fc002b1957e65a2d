namespace Relay.Protocol;

public static class ProtocolVersion
{
    /// <summary>Bumped on any incompatible wire change; register with another value errs protocol_mismatch.</summary>
    public const int Current = 1;
}
