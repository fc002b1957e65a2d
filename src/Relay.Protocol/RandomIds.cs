using System.Security.Cryptography;

namespace Relay.Protocol;

/// <summary>Short random ids for asks, threads and broadcasts.</summary>
public static class RandomIds
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>A prefix plus 10 random characters, e.g. <c>a-7k2mqx9cde</c>.</summary>
    public static string New(string prefix)
    {
        Span<char> chars = stackalloc char[10];
        RandomNumberGenerator.GetItems(Alphabet, chars);
        return string.Concat(prefix, "-", chars);
    }
}
