using System.CommandLine;
using System.Text.Json;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Cli.Commands;

/// <summary>
/// <c>relay hook prompt-submit</c>: the plugin's UserPromptSubmit hook. Claude Code runs it with the prompt that is
/// about to reach the model; every relay ask in it (a <c>&lt;channel source="plugin:relay:relay" type="ask"&gt;</c>
/// push, or a relay ask in a native inbox message) is reported to the hub as <c>surfaced</c>, so the asker learns
/// the question reached the model. It never prints to stdout (that would become context for the model), never
/// blocks the prompt for long, and always exits 0: a hook failure must not get in the user's way.
/// </summary>
internal static class HookCommand
{
    /// <summary>The whole hook gives up after this; the prompt goes on regardless.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private const int MaxInputBytes = 4 * 1024 * 1024;

    public static Command Create()
    {
        var promptSubmit = new Command("prompt-submit", "UserPromptSubmit hook: report relay asks in the prompt as surfaced (reads the hook JSON on stdin)");
        promptSubmit.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                budget.CancelAfter(Budget);
                await ReportAsync(CliOptions.ResolveDataDir(parse), budget.Token);
            }
#pragma warning disable CA1031 // A hook must never fail the user's prompt; the failure is logged instead.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Console.Error.WriteLine($"relay hook: {CliRunner.OneLine(ex.Message)}");
            }

            return 0;
        });
        var command = new Command("hook", "Entry points for the plugin's Claude Code hooks (not for people)") { promptSubmit };
        command.Hidden = true;
        return command;
    }

    private static async Task ReportAsync(DataDir dataDir, CancellationToken cancellationToken)
    {
        using var stdin = Console.OpenStandardInput();
        var input = await ReadBoundedAsync(stdin, cancellationToken);
        if (!TryParse(input, out var sessionId, out var prompt))
        {
            return;
        }

        var askIds = PromptAsks.Find(prompt);
        if (askIds.Count == 0 || sessionId is null)
        {
            return;
        }

        await using var hub = await HubConnector.ConnectAsync(dataDir, spawn: false, cancellationToken: cancellationToken);
        foreach (var askId in askIds)
        {
            await hub.RequestAsync(new ReceiptMessage { AskId = askId, Status = AskStates.Surfaced, SessionId = sessionId }, cancellationToken);
        }
    }

    private static bool TryParse(byte[] input, out string? sessionId, out string prompt)
    {
        sessionId = null;
        prompt = "";
        try
        {
            using var document = JsonDocument.Parse(input);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("prompt", out var promptElement) || promptElement.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            prompt = promptElement.GetString() ?? "";
            sessionId = root.TryGetProperty("session_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxInputBytes)
            {
                throw new InvalidDataException($"hook input longer than {MaxInputBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
