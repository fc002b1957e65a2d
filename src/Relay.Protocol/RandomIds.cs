namespace Relay.Protocol;

/// <summary>Short random ids for asks, threads and broadcasts.</summary>
public static class RandomIds
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>A prefix plus 10 random characters, e.g. <c>a-7k2mqx9cde</c>.</summary>
    /// <remarks>
    /// Ids only need to be unique, not secret: the hub checks who may reply to an ask, never the id alone. So they
    /// come from <see cref="Random.Shared"/>; the cryptographic generator loads OpenSSL (libssl + libcrypto, ~3 MiB
    /// of RSS and a slower start) into every hub and channel for nothing else.
    /// </remarks>
    public static string New(string prefix)
    {
        Span<char> chars = stackalloc char[10];
        Random.Shared.GetItems(Alphabet, chars);
        return string.Concat(prefix, "-", chars);
    }
}
