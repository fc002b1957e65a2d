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
    private static readonly Lazy<string> s_path = new(Create);

    public static string Path => s_path.Value;

    private static string Create()
    {
        var repo = RelayBinary.RepoRoot;
        var target = Directory.CreateTempSubdirectory("relay-marketplace-").FullName;
        foreach (var dir in new[] { ".claude-plugin", "bin", "commands", "src" })
        {
            CopyTree(System.IO.Path.Combine(repo, dir), System.IO.Path.Combine(target, dir));
        }

        foreach (var file in Directory.EnumerateFiles(repo))
        {
            File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        }

        // The launcher must stay executable.
        File.SetUnixFileMode(System.IO.Path.Combine(target, "bin", "relay"), File.GetUnixFileMode(System.IO.Path.Combine(repo, "bin", "relay")));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(target, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return target;
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
