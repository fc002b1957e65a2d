using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Relay.Protocol;
using Relay.Runtime;

namespace Relay.Cli.Listen;

/// <summary>
/// Tells a one-shot <c>relay reply</c> which listener holds an ask. A <c>relay listen</c> process writes one small file
/// per held ask, <c>&lt;data dir&gt;/listen/&lt;ask_id&gt;.json</c> (mode 0600, in a 0700 folder), and removes it when
/// the ask is answered or the listener exits. <c>relay reply</c> removes it after the hub accepted the reply.
/// </summary>
internal sealed class ListenState(DataDir dataDir)
{
    private const UnixFileMode DirPerms = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FilePerms = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly HashSet<string> _mine = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public static string Folder(DataDir dataDir) => Path.Combine(dataDir.Path, "listen");

    /// <summary>The state file of an ask id; ids that are not safe file names are hashed.</summary>
    public static string FileFor(DataDir dataDir, string askId)
    {
        var safe = askId.Length is > 0 and <= 100 && askId[0] != '.' && askId.All(PeerNames.IsNameChar);
        var name = safe ? askId : "h-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(askId)))[..32];
        return Path.Combine(Folder(dataDir), name + ".json");
    }

    public void Record(HeldAsk ask)
    {
        try
        {
            dataDir.EnsureExists();
            Directory.CreateDirectory(Folder(dataDir), DirPerms);
            var path = FileFor(dataDir, ask.AskId);
            var temp = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = FilePerms }))
            {
                JsonSerializer.Serialize(stream, ask, CliJson.Context.HeldAsk);
            }

            // Rename is atomic: a reader never sees half a file.
            File.Move(temp, path, overwrite: true);
            lock (_gate)
            {
                _mine.Add(ask.AskId);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CliRunner.WriteError("listen", $"could not record ask {ask.AskId} for `relay reply` ({ex.Message}); answer it with --as");
        }
    }

    public void Forget(string askId)
    {
        lock (_gate)
        {
            _mine.Remove(askId);
        }

        Delete(dataDir, askId);
    }

    /// <summary>Removes every file this process wrote (on exit).</summary>
    public void ForgetAll()
    {
        string[] mine;
        lock (_gate)
        {
            mine = [.. _mine];
            _mine.Clear();
        }

        foreach (var askId in mine)
        {
            Delete(dataDir, askId);
        }
    }

    /// <summary>The live listener holding <paramref name="askId"/>; stale files (listener gone) are removed and ignored.</summary>
    public static HeldAsk? Find(DataDir dataDir, string askId)
    {
        var path = FileFor(dataDir, askId);
        HeldAsk? held;
        try
        {
            using var stream = File.OpenRead(path);
            held = JsonSerializer.Deserialize(stream, CliJson.Context.HeldAsk);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }

        if (held is null || held.AskId != askId)
        {
            return null;
        }

        if (!Directory.Exists("/proc/" + held.ListenerPid.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Delete(dataDir, askId);
            return null;
        }

        return held;
    }

    public static void Delete(DataDir dataDir, string askId)
    {
        try
        {
            File.Delete(FileFor(dataDir, askId));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
