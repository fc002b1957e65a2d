using System.Globalization;
using System.Text;

namespace Relay.Channels.Delivery;

/// <summary>
/// Reads how the Claude Code session that started this channel was launched (<c>/proc/&lt;ppid&gt;/cmdline</c>), to
/// learn whether relay was named as a channel: <c>--channels plugin:relay@…</c> or
/// <c>--dangerously-load-development-channels plugin:relay@…</c> (space- or comma-separated lists, <c>--flag=value</c>
/// too), and whether the session skips permission prompts.
/// </summary>
public static class ParentCommandLine
{
    private static readonly string[] ChannelFlags = ["--channels", "--dangerously-load-development-channels"];

    /// <summary>The arguments of process <paramref name="pid"/>, or empty when they cannot be read.</summary>
    public static IReadOnlyList<string> Read(int pid)
    {
        try
        {
            var bytes = File.ReadAllBytes($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline");
            return Encoding.UTF8.GetString(bytes).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>True when the arguments load relay's channel (the plugin's server, or a server named relay).</summary>
    public static bool NamesRelayChannel(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            foreach (var flag in ChannelFlags)
            {
                if (arg.StartsWith(flag + "=", StringComparison.Ordinal) && ListNamesRelay(arg[(flag.Length + 1)..]))
                {
                    return true;
                }

                if (arg != flag)
                {
                    continue;
                }

                // A variadic flag: its values run until the next option.
                for (var j = i + 1; j < args.Count && !args[j].StartsWith('-'); j++)
                {
                    if (ListNamesRelay(args[j]))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static bool ListNamesRelay(string list)
    {
        foreach (var entry in list.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.StartsWith("plugin:relay@", StringComparison.Ordinal) || entry is "plugin:relay" or "server:relay")
            {
                return true;
            }
        }

        return false;
    }
}
