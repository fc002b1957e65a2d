using NLog;
using NLog.Config;
using NLog.Layouts;
using NLog.Targets;

namespace Relay.Runtime;

/// <summary>
/// JSON-line logs, one file per day at <c>&lt;data dir&gt;/logs/relay-YYYY-MM-DD.log</c>, seven days kept. Never stdout.
/// Events carry glossary names (<c>peer_register</c>, <c>ask_delivered</c>, …) and structured fields.
/// </summary>
public static class RelayLog
{
    public const string FilePrefix = "relay-";
    public const int KeepDays = 7;

    /// <summary>Libraries that log through NLog (the MCP SDK): their info, warnings and errors are kept, their chatter is not.</summary>
    public const string LibraryLoggers = "ModelContextProtocol.*";

    /// <summary>Sets up logging for this process. <paramref name="role"/> is hub, channel or cli.</summary>
    public static void Configure(DataDir dataDir, string role, bool toStderr = false, string? level = null)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        var minLevel = ParseLevel(level ?? Environment.GetEnvironmentVariable("RELAY_LOG_LEVEL")) ?? LogLevel.Info;
        var config = new LoggingConfiguration();

        var json = new JsonLayout
        {
            IncludeEventProperties = true,
            SuppressSpaces = true,
            Attributes =
            {
                new JsonAttribute("ts", "${date:universalTime=true:format=o}"),
                new JsonAttribute("level", "${level:lowercase=true}"),
                new JsonAttribute("role", role),
                new JsonAttribute("component", "${logger}"),
                new JsonAttribute("event", "${message}"),
                new JsonAttribute("process_id", "${processid}") { Encode = false },
                new JsonAttribute("error", "${exception:format=tostring}"),
            },
        };

        try
        {
            // The data dir first, so it gets its 0700 even when logging is the first thing a role does.
            dataDir.EnsureExists();
            Directory.CreateDirectory(dataDir.LogDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        var file = new FileTarget("file")
        {
            FileName = Path.Combine(dataDir.LogDir, FilePrefix + "${shortdate}.log"),
            Layout = json,
            // Several processes (hub, channels, CLI) append to the same file; each write opens, appends and closes
            // under an flock held by the wrapper below.
            KeepFileOpen = false,
            MaxArchiveDays = KeepDays,
            MaxArchiveFiles = KeepDays,
        };
        var locked = new FileLockWrapper(Path.Combine(dataDir.LogDir, ".lock"), file) { Name = "locked-file" };
        // No targets: it only caps what the rules below accept from those loggers. Their debug and trace stay off
        // whatever RELAY_LOG_LEVEL says (with trace on, the SDK would log whole messages instead of its errors).
        config.LoggingRules.Add(new LoggingRule(LibraryLoggers) { FinalMinLevel = LogLevel.Info });
        config.AddRule(minLevel, LogLevel.Fatal, locked);

        if (toStderr)
        {
            var console = new ConsoleTarget("stderr")
            {
                StdErr = true,
                Layout = "${date:format=HH\\:mm\\:ss.fff} ${level:uppercase=true:padding=-5} ${logger} ${message} ${all-event-properties:separator= } ${exception:format=message}",
            };
            config.AddRule(minLevel, LogLevel.Fatal, console);
        }

        LogManager.Configuration = config;
    }

    public static Logger For(string component) => LogManager.GetLogger(component);

    public static LogLevel? ParseLevel(string? level) => level?.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Info,
        "warn" or "warning" => LogLevel.Warn,
        "error" => LogLevel.Error,
        "fatal" or "critical" => LogLevel.Fatal,
        "off" or "none" => LogLevel.Off,
        _ => null,
    };

    /// <summary>Logs one event with structured fields. Cheap when the level is off.</summary>
    public static void Event(this Logger logger, LogLevel level, string eventName, params ReadOnlySpan<(string Key, object? Value)> fields) =>
        Event(logger, level, eventName, null, fields);

    public static void Event(this Logger logger, LogLevel level, string eventName, Exception? error, params ReadOnlySpan<(string Key, object? Value)> fields)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var info = new LogEventInfo(level, logger.Name, eventName) { Exception = error };
        foreach (var (key, value) in fields)
        {
            if (value is not null)
            {
                info.Properties[key] = value;
            }
        }

        logger.Log(info);
    }

    /// <summary>Flushes and closes the targets; call before the process exits.</summary>
    public static void Shutdown() => LogManager.Shutdown();
}
