using System.Diagnostics;
using System.Text;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Cli.Listen;

/// <summary>What one <c>--exec</c> run produced.</summary>
internal sealed record ExecResult(int ExitCode, string Stdout, string Stderr, bool TimedOut);

/// <summary>
/// Runs <c>sh -c CMD</c> for one incoming ask: the question on stdin, the ask's ids in the environment
/// (RELAY_ASK_ID, RELAY_FROM, RELAY_THREAD_ID, RELAY_BROADCAST_ID), stdout captured as the reply. A command that
/// outlives <c>timeout</c> is killed with its whole process tree.
/// </summary>
internal static class ExecRunner
{
    public static async Task<ExecResult> RunAsync(string command, IncomingAskMessage ask, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["RELAY_ASK_ID"] = ask.AskId;
        start.Environment["RELAY_FROM"] = ask.From;
        start.Environment["RELAY_THREAD_ID"] = ask.ThreadId;
        if (ask.BroadcastId is { } broadcastId)
        {
            start.Environment["RELAY_BROADCAST_ID"] = broadcastId;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
        var stdout = new CappedText(Limits.MaxTextBytes);
        var stderr = new CappedText(64 * 1024);
        var reading = Task.WhenAll(stdout.ReadAllAsync(process.StandardOutput), stderr.ReadAllAsync(process.StandardError));
        var stdin = FeedAsync(process.StandardInput, ask.Question);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        await stdin;
        try
        {
            // A background child may keep the pipes open after sh exits: take what arrived, do not wait forever.
            await reading.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }

        return new ExecResult(timedOut ? -1 : process.ExitCode, stdout.ToString(), stderr.ToString(), timedOut);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    private static async Task FeedAsync(StreamWriter stdin, string text)
    {
        try
        {
            await stdin.WriteAsync(text);
            await stdin.FlushAsync();
        }
        catch (IOException)
        {
            // The command did not read its stdin (e.g. `date`): fine.
        }
        finally
        {
            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
            }
        }
    }
}
