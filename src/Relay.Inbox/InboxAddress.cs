using System.Globalization;

namespace Relay.Inbox;

/// <summary>
/// Inbox addresses: a socket path, written <c>uds:/abs/path.sock</c> in <c>from</c> fields and envelopes.
/// </summary>
/// <remarks>
/// What Claude Code 2.1.332 accepts (read from its code, the same-directory cases verified live):
/// a receipt or <c>SendMessage</c> target in the <b>same directory</b> as the receiver's own socket only needs to end in
/// <c>.sock</c>; in another (default <c>cc-socks</c>) directory its file name must be <c>&lt;digits&gt;.sock</c>,
/// <c>&lt;digits&gt;-&lt;8 hex&gt;.sock</c> or <c>&lt;1–16 hex&gt;.sock</c>. relay always uses
/// <c>&lt;pid&gt;-&lt;8 hex&gt;.sock</c>, which passes both. The path must be absolute and hold no whitespace.
/// </remarks>
public static class InboxAddress
{
    public const string Scheme = "uds:";

    /// <summary><c>uds:</c> + the path.</summary>
    public static string ToUri(string socketPath)
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        return Scheme + socketPath;
    }

    /// <summary>
    /// The socket path of a <c>uds:</c> address (a bare absolute path is accepted too); false for anything that is not an
    /// absolute, whitespace-free path ending in <c>.sock</c>.
    /// </summary>
    public static bool TryParse(string? address, out string socketPath)
    {
        socketPath = "";
        if (string.IsNullOrEmpty(address))
        {
            return false;
        }

        var path = address.StartsWith(Scheme, StringComparison.Ordinal) ? address[Scheme.Length..] : address;
        if (path.Length < 7 || path[0] != '/' || !path.EndsWith(".sock", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in path)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        socketPath = path;
        return true;
    }

    /// <summary>True for <c>&lt;digits&gt;.sock</c>, <c>&lt;digits&gt;-&lt;8 lowercase hex&gt;.sock</c>, <c>&lt;1–16 lowercase hex&gt;.sock</c>.</summary>
    public static bool IsWellKnownFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!fileName.EndsWith(".sock", StringComparison.Ordinal))
        {
            return false;
        }

        var stem = fileName.AsSpan(0, fileName.Length - 5);
        if (stem.IsEmpty)
        {
            return false;
        }

        if (stem.Length <= 16 && IsHex(stem))
        {
            return true;
        }

        var dash = stem.IndexOf('-');
        if (dash < 0)
        {
            return IsDigits(stem);
        }

        return dash > 0 && IsDigits(stem[..dash]) && stem.Length - dash - 1 == 8 && IsHex(stem[(dash + 1)..]);
    }

    /// <summary>
    /// True when a Claude Code session listening on <paramref name="receiverSocket"/> would write receipts (and accept
    /// <c>SendMessage</c> targets) to <paramref name="senderSocket"/> without further checks: same directory, <c>.sock</c>.
    /// </summary>
    public static bool IsReachableFrom(string senderSocket, string receiverSocket)
    {
        ArgumentNullException.ThrowIfNull(senderSocket);
        ArgumentNullException.ThrowIfNull(receiverSocket);
        return TryParse(senderSocket, out var sender) && TryParse(receiverSocket, out var receiver)
            && string.Equals(Path.GetDirectoryName(sender), Path.GetDirectoryName(receiver), StringComparison.Ordinal);
    }

    /// <summary>A fresh socket path <c>&lt;directory&gt;/&lt;our pid&gt;-&lt;8 random hex&gt;.sock</c>.</summary>
    public static string NewIn(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Span<byte> random = stackalloc byte[4];
        Random.Shared.NextBytes(random);
        var name = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(random) + ".sock";
        return Path.Combine(directory, name);
    }

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private static bool IsDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept(Digits);

    private static bool IsHex(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept(LowerHex);
}
