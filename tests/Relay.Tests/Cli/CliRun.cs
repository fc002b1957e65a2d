using System.Text.Json;
using Relay.Tests.Infrastructure;

namespace Relay.Tests.Cli;

/// <summary>What one finished relay CLI process printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement.Clone();

    public IReadOnlyList<JsonElement> JsonLines() =>
        [.. Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the real relay binary as a one-shot command inside a sandbox.</summary>
public static class CliRun
{
    public static async Task<CliResult> RunAsync(this RelaySandbox sandbox, string[] args, string? stdin = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string?>? env = null)
    {
        var process = sandbox.StartRelay(args, extraEnv: env);
        if (stdin is not null)
        {
            await process.Process.StandardInput.WriteAsync(stdin);
        }

        process.Process.StandardInput.Close();
        var code = await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(20));
        // Let the asynchronous output readers drain.
        process.Process.WaitForExit();
        return new CliResult(code, process.Stdout, process.Stderr);
    }
}
