using Relay.Protocol;
namespace Relay.Runtime.Client;

/// <summary>
/// A message whose JSON line would pass the hub's line limit (<see cref="Limits.MaxLineBytes"/>): it is not sent, so
/// the connection stays up. A text within the 512 KiB text limit can still get there when most of it must be escaped
/// (control characters take six bytes each).
/// </summary>
public sealed class MessageTooLargeException(int bytes)
    : Exception($"the message is {bytes} bytes once JSON-encoded, over relay's {Limits.MaxLineBytes}-byte line limit (control characters and quotes take more room when encoded); shorten it")
{
    public int Bytes { get; } = bytes;
}
