using System.Globalization;

namespace Relay.Runtime;

/// <summary>
/// Whether a data dir is safe to hold the hub socket and logs: owned by this user and writable by nobody else.
/// A group- or world-writable dir (or one another user owns) lets someone else replace <c>hub.sock</c> with their
/// own socket and read every question, so every role refuses it. Reads owner and mode with <c>statx(2)</c>, whose
/// layout is the same on every Linux architecture.
/// </summary>
public static class DataDirSafety
{
    private const uint STATX_MODE = 0x2;
    private const uint STATX_UID = 0x8;
    private const int UidOffset = 20;
    private const int ModeOffset = 28;
    private const int StatxSize = 256;
    private const int GroupOrOtherWrite = 0x12; // S_IWGRP | S_IWOTH

    /// <summary>
    /// Null when <paramref name="path"/> is safe (or does not exist yet: relay creates it 0700); otherwise what is
    /// wrong and the fix, in one sentence.
    /// </summary>
    public static string? Problem(string path) => Check(path) is { } unsafeDir ? $"{unsafeDir.Reason}. Fix: {unsafeDir.Fix}" : null;

    /// <summary>Null when <paramref name="path"/> is safe or missing; otherwise why it is unsafe and the shell fix.</summary>
    public static (string Reason, string Fix)? Check(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var buffer = new byte[StatxSize];
        if (Libc.Statx(path, STATX_MODE | STATX_UID, buffer) != 0)
        {
            // Missing: created later with mode 0700. Anything else (no permission) surfaces when relay uses it.
            return null;
        }

        var uid = BitConverter.ToUInt32(buffer, UidOffset);
        var mode = BitConverter.ToUInt16(buffer, ModeOffset) & 0xFFF;
        var self = Libc.EffectiveUid;
        if (uid != self)
        {
            return (
                string.Create(CultureInfo.InvariantCulture, $"the data dir {path} is owned by uid {uid}, not by you (uid {self}); that user could read or replace the hub socket"),
                string.Create(CultureInfo.InvariantCulture, $"choose a data dir of your own (--data-dir DIR or $CLAUDE_PLUGIN_DATA), or take it over: chown {self} {Quote(path)} && chmod 700 {Quote(path)}"));
        }

        if ((mode & GroupOrOtherWrite) != 0)
        {
            var who = (mode & 0x2) != 0 ? "world-writable" : "group-writable";
            return (
                string.Create(CultureInfo.InvariantCulture, $"the data dir {path} is {who} (mode 0{Convert.ToString(mode, 8)}); another user could replace the hub socket"),
                $"chmod 700 {Quote(path)} (or choose another data dir with --data-dir DIR)");
        }

        return null;
    }

    private static string Quote(string path) =>
        path.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '~'))
            ? "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'"
            : path;
}
