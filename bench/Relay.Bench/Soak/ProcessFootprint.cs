using Relay.Bench.Infra;

namespace Relay.Bench.Soak;

/// <summary>A process's (the hub's, a channel's) resident memory and open file descriptors at one moment, from /proc.</summary>
internal readonly record struct ProcessFootprint(double RssMiB, int OpenFds)
{
    /// <summary>
    /// RSS and open fds, not counting <c>.dll</c> and <c>.pdb</c> files: a JIT-compiled (debug) build opens those
    /// lazily, once each, as code paths run for the first time; a Native AOT hub has none.
    /// </summary>
    public static ProcessFootprint Of(int pid) =>
        new(ProcStats.RssMiB(pid), FdKinds(pid).Where(k => !k.Key.EndsWith(".dll", StringComparison.Ordinal) && !k.Key.EndsWith(".pdb", StringComparison.Ordinal)).Sum(k => k.Value));

    /// <summary>The process's open fds by kind (<c>socket</c>, <c>anon_inode:[eventfd]</c>, a file path), for explaining growth.</summary>
    public static Dictionary<string, int> FdKinds(int pid)
    {
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
            {
                string kind;
                try
                {
                    kind = new FileInfo(fd).LinkTarget ?? "?";
                }
                catch (IOException)
                {
                    continue;
                }

                var bracket = kind.IndexOf(":[", StringComparison.Ordinal);
                if (bracket > 0 && !kind.StartsWith("anon_inode", StringComparison.Ordinal))
                {
                    kind = kind[..bracket];
                }

                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return kinds;
    }
}
