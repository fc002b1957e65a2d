namespace Relay.Cli.Doctor.Sessions;

/// <summary>What one settings source of a session says about cross-session messages and the permission mode.</summary>
/// <param name="Source">One of <see cref="SettingsSources"/>.</param>
/// <param name="Where">The file (or "--settings JSON") it was read from, for messages and fixes.</param>
internal sealed record SettingsLayer(string Source, string Where)
{
    /// <summary><c>crossSessionInbound</c> when it is accept, hold or refuse.</summary>
    public string? Inbound { get; init; }

    /// <summary>The raw JSON of a <c>crossSessionInbound</c> value Claude Code does not recognise.</summary>
    public string? InvalidInbound { get; init; }

    /// <summary><c>permissions.defaultMode</c>.</summary>
    public string? DefaultMode { get; init; }

    /// <summary><c>permissions.disableBypassPermissionsMode: "disable"</c>.</summary>
    public bool DisablesBypass { get; init; }

    /// <summary>Why the file could not be read or parsed; the layer then says nothing.</summary>
    public string? Error { get; init; }
}
