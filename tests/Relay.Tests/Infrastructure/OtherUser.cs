namespace Relay.Tests.Infrastructure;

/// <summary>A throwaway uid for tests that need another user on this machine (nobody's, 65534).</summary>
public static class OtherUser
{
    public const int Uid = 65534;

    public const string SetPriv = "/usr/bin/setpriv";

    /// <summary>Why tests acting as another user cannot run here, or null when they can.</summary>
    public static string? SkipReason =>
        Posix.EffectiveUid() != 0
            ? "SKIPPED LOUDLY: acting as another uid needs root (the test runs as uid " + Posix.EffectiveUid() + ")"
            : !File.Exists(SetPriv)
                ? "SKIPPED LOUDLY: acting as another uid needs " + SetPriv + " (util-linux)"
                : null;

    /// <summary>Starts <paramref name="fileName"/> as uid/gid <see cref="Uid"/> with no supplementary groups.</summary>
    public static TrackedProcess Start(string fileName, IEnumerable<string> args) =>
        TrackedProcess.Start(SetPriv, [$"--reuid={Uid}", $"--regid={Uid}", "--clear-groups", fileName, .. args], workingDirectory: "/");
}
