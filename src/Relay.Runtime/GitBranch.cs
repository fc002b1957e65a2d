namespace Relay.Runtime;

/// <summary>
/// Reads the current git branch from <c>.git/HEAD</c> without running git: walks up from a directory, follows a
/// worktree's or submodule's <c>.git</c> file (<c>gitdir: …</c>), and reports a short commit for a detached HEAD.
/// </summary>
public static class GitBranch
{
    private const string RefPrefix = "ref: ";
    private const string BranchPrefix = "refs/heads/";

    /// <summary>The branch of the repository holding <paramref name="directory"/>, or null outside a repository.</summary>
    public static string? Read(string directory)
    {
        try
        {
            for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
            {
                var dotGit = Path.Combine(dir.FullName, ".git");
                if (Directory.Exists(dotGit))
                {
                    return FromHead(Path.Combine(dotGit, "HEAD"));
                }

                if (File.Exists(dotGit))
                {
                    return GitDirOf(dotGit, dir.FullName) is { } gitDir ? FromHead(Path.Combine(gitDir, "HEAD")) : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
        }

        return null;
    }

    private static string? GitDirOf(string dotGitFile, string workTree)
    {
        foreach (var line in File.ReadLines(dotGitFile))
        {
            if (line.StartsWith("gitdir:", StringComparison.Ordinal))
            {
                var path = line["gitdir:".Length..].Trim();
                return path.Length == 0 ? null : Path.GetFullPath(path, workTree);
            }
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
        if (head.StartsWith(RefPrefix, StringComparison.Ordinal))
        {
            var reference = head[RefPrefix.Length..].Trim();
            return reference.StartsWith(BranchPrefix, StringComparison.Ordinal) ? reference[BranchPrefix.Length..] : reference;
        }

        // Detached HEAD: a commit id; report it short, as git does.
        return head.Length >= 7 ? head[..7] : null;
    }
}
