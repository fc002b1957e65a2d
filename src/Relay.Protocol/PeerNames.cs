using System.Text;

namespace Relay.Protocol;

/// <summary>Peer names: 1–64 characters of <c>[A-Za-z0-9._-]</c>.</summary>
public static class PeerNames
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    /// <summary>
    /// Maps any text (a folder name, what a user typed into /rename) into the name alphabet: lower case, runs of other
    /// characters become one '-', no leading or trailing separators. Returns <paramref name="fallback"/> when nothing is left.
    /// </summary>
    public static string Slugify(string? text, string fallback = "session")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxLength));
        var pendingDash = false;
        foreach (var rune in text.Normalize(NormalizationForm.FormD).EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var c = rune.IsAscii ? char.ToLowerInvariant((char)rune.Value) : '\0';
            if (c != '\0' && IsNameChar(c) && c != '-')
            {
                if (pendingDash && builder.Length > 0)
                {
                    builder.Append('-');
                }

                pendingDash = false;
                builder.Append(c);
            }
            else
            {
                pendingDash = true;
            }

            if (builder.Length >= MaxLength)
            {
                break;
            }
        }

        var slug = builder.ToString().Trim('.', '_', '-');
        if (slug.Length > MaxLength)
        {
            slug = slug[..MaxLength].TrimEnd('.', '_', '-');
        }

        return slug.Length == 0 ? fallback : slug;
    }

    /// <summary>The <paramref name="attempt"/>-th candidate for <paramref name="baseName"/>: base, base-2, base-3, …, kept within 64 characters.</summary>
    public static string WithSuffix(string baseName, int attempt)
    {
        if (attempt <= 1)
        {
            return baseName;
        }

        var suffix = "-" + attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var room = MaxLength - suffix.Length;
        return (baseName.Length > room ? baseName[..room] : baseName) + suffix;
    }
}
