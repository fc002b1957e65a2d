using Relay.Tests.Infrastructure;

namespace Relay.Tests.ClaudeCode;

/// <summary>
/// The repo's plugin as a directory marketplace, copied once per test run without build outputs and the npm tools.
/// <c>claude plugin install</c> copies the whole marketplace directory into the scratch HOME's plugin cache; the
/// checkout itself can weigh hundreds of MB (artifacts/, tools/claude-code/node_modules). The copy holds exactly what
/// the plugin consists of: manifests, command, launcher, and the sources the launcher stamps.
/// </summary>
public static class PluginMarketplaceCopy
{
    private const string Prefix = "relay-marketplace-";

    private static readonly Lazy<string> s_path = new(Create);

    public static string Path => s_path.Value;

    private static string Create()
    {
        // One copy per test process, named after its pid; copies of test processes that are gone are removed here
        // (the test host is often killed rather than shut down, so it cannot clean up after itself).
        var temp = System.IO.Path.GetTempPath();
        foreach (var stale in Directory.EnumerateDirectories(temp, Prefix + "*"))
        {
            if (int.TryParse(System.IO.Path.GetFileName(stale)[Prefix.Length..], out var pid) && pid != Environment.ProcessId && !Posix.IsAlive(pid))
            {
                TryDelete(stale);
            }
        }

        var target = System.IO.Path.Combine(temp, Prefix + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        TryDelete(target);
        CopyTo(target);
        return target;
    }

    /// <summary>A private copy of the plugin at <paramref name="target"/>, for a test that builds into it or changes it.</summary>
    public static void CopyTo(string target)
    {
        var repo = RelayBinary.RepoRoot;
        foreach (var dir in new[] { ".claude-plugin", "bin", "commands", "hooks", "src" })
        {
            CopyTree(System.IO.Path.Combine(repo, dir), System.IO.Path.Combine(target, dir));
        }

        foreach (var file in Directory.EnumerateFiles(repo))
        {
            File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        }

        // Scripts stay executable.
        foreach (var script in new[] { "bin/relay", "install.sh" })
        {
            File.SetUnixFileMode(System.IO.Path.Combine(target, script), File.GetUnixFileMode(System.IO.Path.Combine(repo, script)));
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Copies a directory tree, leaving out build outputs (bin/, obj/) below it.</summary>
    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            var name = System.IO.Path.GetFileName(dir);
            if (name is not ("bin" or "obj"))
            {
                CopyTree(dir, System.IO.Path.Combine(to, name));
            }
        }
    }
}
