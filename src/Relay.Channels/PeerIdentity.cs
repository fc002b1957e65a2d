using NLog;
using Relay.Protocol;
using Relay.Runtime;

namespace Relay.Channels;

/// <summary>What this channel registers as: the name it wants first, its cwd, and how it is reached.</summary>
internal sealed record PeerIdentity(string BaseName, string Cwd)
{
    /// <summary>The delivery path (<see cref="Relay.Protocol.Messages.DeliveryPaths"/>).</summary>
    public string? Delivery { get; init; }

    /// <summary>The Claude Code session this channel serves (its pid), so the hub does not list it twice.</summary>
    public int? ClaudePid { get; init; }

    /// <summary>The Claude Code session id (hook receipts name the session by it).</summary>
    public string? SessionId { get; init; }

    /// <summary>
    /// The first name to try: a valid <c>CLAUDE_RELAY_PRESET_NAME</c>, else a name the user gave the Claude session
    /// (<c>claude -n</c>, <c>/rename</c>, resume) read from its sessions file, else the slug of the cwd's basename.
    /// Clashes are resolved later by suffixing -2, -3, ….
    /// </summary>
    public static PeerIdentity Resolve(ChannelSettings settings, string? sessionsFile, Logger log)
    {
        var cwd = settings.WorkingDirectory;
        if (settings.PresetName is { Length: > 0 } preset)
        {
            if (PeerNames.IsValid(preset))
            {
                return new PeerIdentity(preset, cwd);
            }

            log.Event(LogLevel.Warn, "preset_name_invalid", ("preset", preset));
        }

        if (sessionsFile is not null && SessionFile.TryReadUserName(sessionsFile) is { } sessionName)
        {
            return new PeerIdentity(PeerNames.Slugify(sessionName), cwd);
        }

        var trimmed = Path.TrimEndingDirectorySeparator(cwd);
        return new PeerIdentity(PeerNames.Slugify(Path.GetFileName(trimmed)), cwd);
    }
}
