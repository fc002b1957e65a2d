using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Text;
using NLog;
using Relay.Cli.Listen;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Cli.Commands;

/// <summary>
/// <c>relay listen</c>: stay registered as a peer and print incoming asks; answer them with <c>relay reply</c>, or let
/// <c>--exec CMD</c> answer each one with a command's output.
/// </summary>
internal static class ListenCommand
{
    public static Command Create()
    {
        var asName = CliArguments.As("Register under this peer name instead of cli-<user> (must be free)");
        var exec = new Option<string?>("--exec")
        {
            Description = "Answer every ask with the stdout of `sh -c CMD` (question on stdin; env RELAY_ASK_ID, RELAY_FROM, RELAY_THREAD_ID)",
            HelpName = "CMD",
        };
        var execTimeout = new DurationOption("--exec-timeout", "Stop a command that runs longer than this and reply with a note (default: the default ask timeout)", "120s");
        var command = new Command("listen", "Join as a peer and print incoming asks; answer with `relay reply` or --exec (starts a hub if none runs)")
        {
            asName, exec, execTimeout, CliOptions.Json,
        };
        CliRunner.SetAction(command, (parse, cancellationToken) =>
        {
            var options = new ListenOptions(
                CliOptions.ResolveDataDir(parse),
                parse.GetValue(asName),
                parse.GetValue(exec),
                execTimeout.Read(parse)!.Value,
                parse.GetValue(CliOptions.Json));
            if (options.Exec is { Length: 0 })
            {
                throw CliError.BadArgs("--exec: the command is empty");
            }

            return new Listener(options).RunAsync(cancellationToken);
        });
        return command;
    }

    private sealed record ListenOptions(DataDir DataDir, string? Name, string? Exec, TimeSpan ExecTimeout, bool Json);

    private sealed class Listener(ListenOptions options)
    {
        private readonly ListenState _state = new(options.DataDir);
        private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
        private readonly Lock _outputGate = new();
        private Logger _log = LogManager.CreateNullLogger();

        public async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            // Create the data dir (0700) before the log folder inside it would create it with default permissions.
            options.DataDir.EnsureExists();
            RelayLog.Configure(options.DataDir, "cli");
            _log = RelayLog.For("listen");
            try
            {
                return await ServeAsync(cancellationToken);
            }
            finally
            {
                _state.ForgetAll();
                RelayLog.Shutdown();
            }
        }

        private async Task<int> ServeAsync(CancellationToken cancellationToken)
        {
            var first = true;
            while (true)
            {
                CliPeer peer;
                try
                {
                    peer = await JoinAsync(first, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return ExitCodes.Interrupted;
                }

                await using (peer)
                {
                    if (first)
                    {
                        var how = options.Exec is null ? "answer with: relay reply <ask_id> <text>" : $"answering with: {options.Exec}";
                        Console.Error.WriteLine($"listening as {peer.Name} on {options.DataDir.SocketPath}; {how} (Ctrl-C to stop)");
                    }
                    else
                    {
                        Console.Error.WriteLine($"relay: reconnected as {peer.Name}");
                    }

                    _log.Event(NLog.LogLevel.Info, "listen_start", ("name", peer.Name), ("exec", options.Exec));
                    first = false;
                    try
                    {
                        await foreach (var message in peer.Inbox.ReadAllAsync(cancellationToken))
                        {
                            if (message is IncomingAskMessage ask)
                            {
                                OnAsk(peer, ask, cancellationToken);
                            }
                        }
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        await WaitForRunningAsync();
                        return ExitCodes.Interrupted;
                    }

                    await WaitForRunningAsync();
                }

                // The hub went away (restart, crash): asks it held are gone with it.
                _state.ForgetAll();
                _log.Event(NLog.LogLevel.Warn, "listen_hub_lost");
                CliRunner.WriteError(ErrorCodes.HubUnreachable, "lost the hub connection; reconnecting");
            }
        }

        private async Task<CliPeer> JoinAsync(bool first, CancellationToken cancellationToken)
        {
            if (first)
            {
                return await CliPeer.JoinAsync(options.DataDir, options.Name, spawn: true, cancellationToken);
            }

            for (var attempt = 0; ; attempt++)
            {
                await Task.Delay(BackoffPolicy.Reconnect.Delay(attempt), cancellationToken);
                try
                {
                    return await CliPeer.JoinAsync(options.DataDir, options.Name, spawn: true, cancellationToken);
                }
                catch (HubUnreachableException)
                {
                }
            }
        }

        private void OnAsk(CliPeer peer, IncomingAskMessage ask, CancellationToken cancellationToken)
        {
            _log.Event(NLog.LogLevel.Info, "listen_ask", ("ask_id", ask.AskId), ("from", ask.From), ("thread_id", ask.ThreadId));
            _state.Record(new HeldAsk
            {
                AskId = ask.AskId,
                Listener = peer.Name,
                ListenerPid = Environment.ProcessId,
                From = ask.From,
                ThreadId = ask.ThreadId,
                ReceivedAt = DateTimeOffset.UtcNow,
            });
            lock (_outputGate)
            {
                if (options.Json)
                {
                    CliJson.WriteLine(new ListenAskLine { AskId = ask.AskId, From = ask.From, ThreadId = ask.ThreadId, BroadcastId = ask.BroadcastId, Question = ask.Question }, CliJson.Context.ListenAskLine);
                }
                else
                {
                    var time = DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
                    var broadcast = ask.BroadcastId is null ? string.Empty : $" broadcast={ask.BroadcastId}";
                    Console.Out.WriteLine($"{time} {ask.From} asks  ask_id={ask.AskId} thread={ask.ThreadId}{broadcast}");
                    Console.Out.WriteLine("  " + ask.Question.TrimEnd('\n').Replace("\n", "\n  ", StringComparison.Ordinal));
                }
            }

            if (options.Exec is { } exec)
            {
                var task = AnswerWithCommandAsync(peer, exec, ask, cancellationToken);
                _running[ask.AskId] = task;
                _ = task.ContinueWith(_ => _running.TryRemove(ask.AskId, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        private async Task AnswerWithCommandAsync(CliPeer peer, string exec, IncomingAskMessage ask, CancellationToken cancellationToken)
        {
            await Task.Yield();
            ExecResult result;
            try
            {
                result = await ExecRunner.RunAsync(exec, ask, options.ExecTimeout, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                result = new ExecResult(127, string.Empty, ex.Message, TimedOut: false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var text = ReplyText(result);
            if (result.ExitCode != 0)
            {
                _log.Event(NLog.LogLevel.Warn, "listen_exec_failed", ("ask_id", ask.AskId), ("exit_code", result.ExitCode), ("timed_out", result.TimedOut), ("stderr", LastLine(result.Stderr)));
            }

            string? error = null;
            try
            {
                var answer = await peer.RequestAsync(new ReplyMessage { AskId = ask.AskId, Text = text }, cancellationToken);
                if (answer is ErrMessage err)
                {
                    error = $"{err.Code}: {err.Message}";
                }
            }
            catch (HubUnreachableException ex)
            {
                error = $"{ErrorCodes.HubUnreachable}: {ex.Message}";
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _state.Forget(ask.AskId);
            lock (_outputGate)
            {
                if (options.Json)
                {
                    CliJson.WriteLine(new ListenRepliedLine { AskId = ask.AskId, ExitCode = result.ExitCode, TimedOut = result.TimedOut, Delivered = error is null, Error = error }, CliJson.Context.ListenRepliedLine);
                }
                else
                {
                    var status = result.TimedOut ? "timed out" : $"exit {result.ExitCode}";
                    Console.Error.WriteLine(error is null ? $"replied to {ask.AskId} ({status})" : $"relay: could not reply to {ask.AskId} ({status}): {error}");
                }
            }
        }

        private string ReplyText(ExecResult result)
        {
            var output = result.Stdout.TrimEnd('\n', '\r');
            if (result.TimedOut)
            {
                return Append(output, $"[relay listen: the command ran longer than {Durations.Format(options.ExecTimeout)} and was stopped]");
            }

            if (result.ExitCode != 0)
            {
                var detail = LastLine(result.Stderr) is { Length: > 0 } line ? ": " + line : string.Empty;
                return Append(output, $"[relay listen: the command failed with exit code {result.ExitCode}{detail}]");
            }

            return output.Length == 0 ? "(no output)" : Truncate(output);
        }

        private static string Append(string output, string note) => Truncate(output.Length == 0 ? note : output + "\n" + note);

        private static string Truncate(string text)
        {
            // Room for the note and JSON escaping stays under the hub's 512 KiB text limit.
            const int max = Limits.MaxTextBytes - 1024;
            if (Encoding.UTF8.GetByteCount(text) <= max)
            {
                return text;
            }

            var cut = Math.Min(text.Length, max);
            while (cut > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, cut)) > max)
            {
                cut -= Math.Max(1, cut / 64);
            }

            return text[..cut] + "\n[relay listen: output truncated]";
        }

        private static string LastLine(string text)
        {
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var last = lines.Length == 0 ? string.Empty : lines[^1];
            return last.Length > 200 ? last[..200] : last;
        }

        private async Task WaitForRunningAsync()
        {
            try
            {
                await Task.WhenAll(_running.Values).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
            }
        }
    }
}
