namespace Relay.Hub;

/// <summary>
/// Test-only: <c>RELAY_HUB_TEST_SHARE_SOCKET=1</c> opens the socket file to every user (0666) and lets everyone
/// traverse the data dir (0711), so a test can connect as another uid and prove that <see cref="SameUserGate"/>,
/// not the file modes, refuses it. Never set it outside tests.
/// </summary>
internal static class SharedSocketForTests
{
    public const string Variable = "RELAY_HUB_TEST_SHARE_SOCKET";

    public static void ApplyIfRequested(string socketPath)
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            return;
        }

        const UnixFileMode readWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.SetUnixFileMode(socketPath, readWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        if (Path.GetDirectoryName(socketPath) is { Length: > 0 } directory)
        {
            File.SetUnixFileMode(directory, readWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }
}
