namespace Relay.Tests.Infrastructure;

/// <summary>The real relay executable under test: $RELAY_BIN (CI points it at the Native AOT build) or the debug build.</summary>
public static class RelayBinary
{
    // Declared before Path: static initializers run in textual order and Find() needs it.
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Path { get; } = Find();

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("RELAY_BIN") is { Length: > 0 } bin)
        {
            return System.IO.Path.GetFullPath(bin);
        }

        var candidate = System.IO.Path.Combine(RepoRoot, "artifacts", "bin", "Relay.Cli", "debug", "relay");
        if (!File.Exists(candidate))
        {
            throw new FileNotFoundException($"relay binary not found at {candidate}; build the solution or set RELAY_BIN");
        }

        return candidate;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "relay.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("repo root (relay.slnx) not found above " + AppContext.BaseDirectory);
    }
}
