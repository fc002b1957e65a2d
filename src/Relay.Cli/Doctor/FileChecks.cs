using System.Globalization;
using Relay.Runtime;

namespace Relay.Cli.Doctor;

/// <summary>Checks on the data dir, the socket file and the log folder.</summary>
internal static class FileChecks
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static DoctorCheck DataDirInUse(DataDir dataDir)
    {
        var why = dataDir.Source switch
        {
            "--data-dir" => "given with --data-dir",
            "$CLAUDE_PLUGIN_DATA" => "from $CLAUDE_PLUGIN_DATA",
            "installed plugin data dir" => "the installed plugin's data dir, which exists",
            _ => "the fallback: no $CLAUDE_PLUGIN_DATA and no installed plugin data dir",
        };
        var socket = Environment.GetEnvironmentVariable("RELAY_HUB_SOCKET") is { Length: > 0 } ? $"; socket {dataDir.SocketPath} from $RELAY_HUB_SOCKET" : string.Empty;
        return DoctorCheck.Info("data dir in use", $"{dataDir.Path} ({why}){socket}");
    }

    public static DoctorCheck DataDirMode(DataDir dataDir)
    {
        const string name = "data dir";
        if (!Directory.Exists(dataDir.Path))
        {
            return DoctorCheck.Info(name, $"{dataDir.Path} does not exist yet; the first session (or `relay listen`) creates it with mode 0700");
        }

        if (DataDirSafety.Check(dataDir.Path) is { } unsafeDir)
        {
            return DoctorCheck.Fail(name, unsafeDir.Reason + "; every relay command refuses it", unsafeDir.Fix);
        }

        var mode = File.GetUnixFileMode(dataDir.Path);
        if ((mode & GroupOrOther) != 0)
        {
            return DoctorCheck.Fail(name, $"{dataDir.Path} has mode {Octal(mode)}; other users could reach the hub socket and read logs", $"chmod 700 {Quote(dataDir.Path)}");
        }

        if ((mode & UnixFileMode.UserWrite) == 0 || (mode & UnixFileMode.UserExecute) == 0)
        {
            return DoctorCheck.Fail(name, $"{dataDir.Path} has mode {Octal(mode)}; relay cannot create its socket and logs there", $"chmod 700 {Quote(dataDir.Path)}");
        }

        return DoctorCheck.Ok(name, $"{dataDir.Path} exists, mode {Octal(mode)}");
    }

    public static DoctorCheck SocketMode(DataDir dataDir)
    {
        const string name = "socket permissions";
        var socket = dataDir.SocketPath;
        if (!File.Exists(socket))
        {
            return DoctorCheck.Info(name, $"no socket at {socket} (no hub running)");
        }

        var mode = File.GetUnixFileMode(socket);
        if ((mode & GroupOrOther) != 0 || (mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite)) != (UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            return DoctorCheck.Fail(name, $"{socket} has mode {Octal(mode)}, expected 0600", $"chmod 600 {Quote(socket)}");
        }

        return DoctorCheck.Ok(name, $"{socket} mode {Octal(mode)}");
    }

    public static DoctorCheck LogDir(DataDir dataDir)
    {
        const string name = "log dir";
        var logs = dataDir.LogDir;
        if (File.Exists(logs))
        {
            return DoctorCheck.Fail(name, $"{logs} is a file, not a folder; relay cannot write logs", $"rm {Quote(logs)}");
        }

        var target = Directory.Exists(logs) ? logs : Directory.Exists(dataDir.Path) ? dataDir.Path : null;
        if (target is null)
        {
            return DoctorCheck.Info(name, $"{logs} does not exist yet; it is created with the data dir");
        }

        var probe = Path.Combine(target, ".doctor-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DoctorCheck.Fail(name, $"{target} is not writable ({ex.Message}); relay logs are lost", $"chmod 700 {Quote(target)}");
        }

        return target == logs
            ? DoctorCheck.Ok(name, $"{logs} is writable")
            : DoctorCheck.Ok(name, $"{logs} does not exist yet; {dataDir.Path} is writable, so it can be created");
    }

    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    public static string Quote(string path) => path.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '~')) ? "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : path;
}
