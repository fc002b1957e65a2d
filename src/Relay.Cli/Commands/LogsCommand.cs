using System.CommandLine;
using Relay.Cli.Logs;

namespace Relay.Cli.Commands;

/// <summary><c>relay logs</c>: the JSON log files of the data dir, one readable line per event, oldest first.</summary>
internal static class LogsCommand
{
    /// <summary>Fallback wake-up when no file-system event arrives (some file systems do not report changes).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines as they are written (Ctrl-C to stop)" };
        var since = new DurationOption("--since", "Only events newer than this (e.g. 10m, 2h)");
        var level = new Option<string?>("--level") { Description = "Only events at this level or above: trace, debug, info, warn, error, fatal", HelpName = "LEVEL" };
        var json = new Option<bool>("--json") { Description = "Print the raw JSON lines (filters still apply)" };
        var command = new Command("logs", "Print the relay logs of the data dir (all roles: hub, channels, cli), oldest first")
        {
            follow, since, level, json,
        };
        CliRunner.SetAction(command, async (parse, cancellationToken) =>
        {
            var dataDir = CliOptions.ResolveDataDir(parse);
            DateTimeOffset? from = since.Read(parse) is { } age ? DateTimeOffset.UtcNow - age : null;
            var minRank = 0;
            if (parse.GetValue(level) is { } name)
            {
                if (!LogLine.IsLevel(name))
                {
                    throw CliError.BadArgs($"--level: '{name}' is not one of trace, debug, info, warn, error, fatal");
                }

                minRank = LogLine.Rank(name);
            }

            var raw = parse.GetValue(json);
            var reader = new LogReader(dataDir.LogDir, from);
            void Print(string line)
            {
                if (LogLine.Render(line, minRank, from, raw) is { } rendered)
                {
                    Console.Out.WriteLine(rendered);
                }
            }

            reader.ReadNew(Print);
            if (!parse.GetValue(follow))
            {
                if (LogFiles.List(dataDir.LogDir).Count == 0)
                {
                    Console.Error.WriteLine($"no logs in {dataDir.LogDir}");
                }

                return ExitCodes.Ok;
            }

            await FollowAsync(dataDir.LogDir, reader, Print, cancellationToken);
            return ExitCodes.Interrupted;
        });
        return command;
    }

    private static async Task FollowAsync(string logDir, LogReader reader, Action<string> print, CancellationToken cancellationToken)
    {
        using var wake = new SemaphoreSlim(0);
        FileSystemWatcher? watcher = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // The folder may appear later (no hub has run yet); watch it once it exists.
                if (watcher is null && Directory.Exists(logDir))
                {
                    watcher = new FileSystemWatcher(logDir, "relay-*.log") { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
                    FileSystemEventHandler signal = (_, _) => Release(wake);
                    watcher.Changed += signal;
                    watcher.Created += signal;
                    watcher.Renamed += (_, _) => Release(wake);
                    watcher.EnableRaisingEvents = true;
                }

                reader.ReadNew(print);
                try
                {
                    await wake.WaitAsync(PollInterval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            watcher?.Dispose();
        }
    }

    private static void Release(SemaphoreSlim wake)
    {
        // Coalesce bursts of events into one wake-up.
        if (wake.CurrentCount == 0)
        {
            try
            {
                wake.Release();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
