using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Relay.Hub;

/// <summary>
/// Who may serve a socket path: the process holding an exclusive flock on <c>&lt;socket&gt;.lock</c>. The lock is
/// held for the hub's whole life, so whoever holds it may treat any socket file at the path as stale. The lock file
/// itself is never deleted: unlinking it would let a second hub lock a fresh inode while the first still runs.
/// </summary>
internal sealed class SocketOwnership : IDisposable
{
    // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
    private const int MaxSocketPathBytes = 107;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly FileStream _lock;
    private bool _socketBound;

    private SocketOwnership(string socketPath, FileStream lockStream)
    {
        SocketPath = socketPath;
        _lock = lockStream;
    }

    public string SocketPath { get; }

    /// <summary>Takes the lock, or returns null when another process holds it (another hub owns the path).</summary>
    public static SocketOwnership? TryAcquire(string socketPath)
    {
        var directory = Path.GetDirectoryName(socketPath);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        FileStream lockStream;
        try
        {
            // FileShare.None is flock(LOCK_EX | LOCK_NB) on Unix: fails at once when another hub holds it.
            lockStream = new FileStream(socketPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException)
        {
            return null;
        }

        try
        {
            File.SetUnixFileMode(lockStream.SafeFileHandle, OwnerOnly);
        }
        catch (UnauthorizedAccessException)
        {
        }

        return new SocketOwnership(socketPath, lockStream);
    }

    /// <summary>
    /// Replaces any (stale) socket file with a listening socket. Binds under a temporary name, restricts it to the
    /// owner, listens, and only then renames it into place, so a socket visible at the path always answers.
    /// </summary>
    public Socket Listen(int backlog)
    {
        var temporary = string.Create(CultureInfo.InvariantCulture, $"{SocketPath}.{Environment.ProcessId}.new");
        if (Encoding.UTF8.GetByteCount(temporary) > MaxSocketPathBytes)
        {
            // No room for a temporary name: bind in place (the lock still keeps other hubs away).
            temporary = SocketPath;
        }

        DeleteQuietly(temporary);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (temporary == SocketPath)
            {
                DeleteQuietly(SocketPath);
            }

            socket.Bind(new UnixDomainSocketEndPoint(temporary));
            File.SetUnixFileMode(temporary, OwnerOnly);
            socket.Listen(backlog);
            if (temporary != SocketPath)
            {
                // rename(2) atomically replaces a stale socket file left by a crashed hub.
                File.Move(temporary, SocketPath, overwrite: true);
            }

            _socketBound = true;
            return socket;
        }
        catch
        {
            socket.Dispose();
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>Removes the socket file (while still holding the lock, so it cannot be another hub's).</summary>
    public void RemoveSocket()
    {
        if (_socketBound)
        {
            _socketBound = false;
            DeleteQuietly(SocketPath);
        }
    }

    public void Dispose()
    {
        RemoveSocket();
        _lock.Dispose();
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
