namespace Relay.Hub.Nats;

/// <summary>Addresses across hosts: <c>name@host</c> names a peer on a host; a plain name is a peer anywhere.</summary>
internal static class PeerAddress
{
    public static string Format(string name, string host) => name + "@" + host;

    /// <summary>Splits <c>name@host</c>; false for a plain name.</summary>
    public static bool TrySplit(string address, out string name, out string host)
    {
        var at = address.LastIndexOf('@');
        name = at > 0 ? address[..at] : address;
        host = at > 0 ? address[(at + 1)..] : "";
        return at > 0 && host.Length > 0;
    }

    /// <summary>A valid name, or a valid name and host joined by '@'.</summary>
    public static bool IsValid(string? address) =>
        address is not null
        && (Relay.Protocol.PeerNames.IsValid(address)
            || (TrySplit(address, out var name, out var host) && Relay.Protocol.PeerNames.IsValid(name) && NatsNames.IsValidToken(host)));
}
