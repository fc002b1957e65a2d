using System.Globalization;
using System.Text;

namespace Relay.Bench.Scenarios;

/// <summary>
/// The texts the bench sends: exactly <see cref="Size"/> bytes, starting with a kind letter and a
/// sequence number so either end can tell a question from a reply and match them without relying on ids.
/// </summary>
internal static class Messages
{
    public const int Size = 256;

    public static string Question(int seq) => Text('Q', seq);

    public static string Reply(int seq) => Text('R', seq);

    private static string Text(char kind, int seq)
    {
        var head = kind + seq.ToString("D8", CultureInfo.InvariantCulture) + ":";
        return head + new string('x', Size - head.Length);
    }

    /// <summary>Reads back kind and sequence number; false for anything else.</summary>
    public static bool TryParse(string text, out char kind, out int seq)
    {
        kind = default;
        seq = -1;
        if (text.Length < 10 || text[9] != ':' || text[0] is not ('Q' or 'R'))
        {
            return false;
        }

        kind = text[0];
        return int.TryParse(text.AsSpan(1, 8), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    /// <summary>A floor ping line of the same size class: <c>{"seq":N,"text":"…256 bytes…"}</c>.</summary>
    public static byte[] PingLine(int seq) => Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"text\":\"{Question(seq)}\"}}");
}
