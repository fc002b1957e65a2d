namespace Relay.Cli;

/// <summary>The checked-out branch of the repository around a folder, read from <c>.git/HEAD</c> (no git process).</summary>
internal static class GitBranch
{
    public static string? Of(string folder)
    {
        try
        {
            for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
            {
                var dotGit = Path.Combine(dir.FullName, ".git");
                string? gitDir = null;
                if (Directory.Exists(dotGit))
                {
                    gitDir = dotGit;
                }
                else if (File.Exists(dotGit))
                {
                    // A worktree or submodule: ".git" is a file "gitdir: <path>".
                    var line = File.ReadAllText(dotGit).Trim();
                    if (line.StartsWith("gitdir:", StringComparison.Ordinal))
                    {
                        gitDir = Path.GetFullPath(line["gitdir:".Length..].Trim(), dir.FullName);
                    }
                }

                if (gitDir is not null)
                {
                    return FromHead(Path.Combine(gitDir, "HEAD"));
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static string? FromHead(string headFile)
    {
        if (!File.Exists(headFile))
        {
            return null;
        }

        var head = File.ReadAllText(headFile).Trim();
        const string prefix = "ref: refs/heads/";
        if (head.StartsWith(prefix, StringComparison.Ordinal))
        {
            return head[prefix.Length..];
        }

        // Detached HEAD: a short commit id says more than nothing.
        return head.Length >= 7 ? head[..7] : null;
    }
}
