using Relay.Runtime;
using Xunit;

namespace Relay.UnitTests.Protocol;

public sealed class GitBranchTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("relay-gitbranch-").FullName;

    [Fact]
    public void A_branch_is_read_from_head_in_the_directory_or_above()
    {
        Head(Path.Combine(_root, ".git"), "ref: refs/heads/feature/x\n");
        var nested = Directory.CreateDirectory(Path.Combine(_root, "src", "deep")).FullName;
        Assert.Equal("feature/x", GitBranch.Read(_root));
        Assert.Equal("feature/x", GitBranch.Read(nested));
    }

    [Fact]
    public void A_detached_head_reads_as_a_short_commit_and_another_ref_as_is()
    {
        Head(Path.Combine(_root, ".git"), "0123456789abcdef0123456789abcdef01234567\n");
        Assert.Equal("0123456", GitBranch.Read(_root));
        Head(Path.Combine(_root, ".git"), "ref: refs/remotes/origin/main");
        Assert.Equal("refs/remotes/origin/main", GitBranch.Read(_root));
    }

    [Fact]
    public void A_worktree_git_file_is_followed_to_its_git_dir()
    {
        var gitDir = Path.Combine(_root, "main", ".git", "worktrees", "wt");
        Head(gitDir, "ref: refs/heads/health\n");
        var workTree = Directory.CreateDirectory(Path.Combine(_root, "wt")).FullName;
        File.WriteAllText(Path.Combine(workTree, ".git"), "gitdir: ../main/.git/worktrees/wt\n");
        Assert.Equal("health", GitBranch.Read(workTree));
    }

    [Fact]
    public void Outside_a_repository_or_with_a_broken_git_file_there_is_no_branch()
    {
        var plain = Directory.CreateDirectory(Path.Combine(_root, "plain")).FullName;
        File.WriteAllText(Path.Combine(plain, ".git"), "not a gitdir line\n");
        Assert.Null(GitBranch.Read(plain));
        Assert.Null(GitBranch.Read(Path.Combine(_root, "missing")));
        Directory.CreateDirectory(Path.Combine(_root, "empty", ".git"));
        Assert.Null(GitBranch.Read(Path.Combine(_root, "empty")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void Head(string gitDir, string content)
    {
        Directory.CreateDirectory(gitDir);
        File.WriteAllText(Path.Combine(gitDir, "HEAD"), content);
    }
}
