namespace Relay.Tests.Inbox;

/// <summary>A short private directory under /tmp (Unix socket paths are limited to 107 bytes), removed on dispose.</summary>
internal sealed class InboxTempDir : IDisposable
{
    public InboxTempDir()
    {
        Path = System.IO.Path.Combine("/tmp", "ri-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
