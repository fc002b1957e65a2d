using System.Text;
using Relay.Protocol;

namespace Relay.Cli;

/// <summary>A question or reply given on the command line, or read from stdin when it is <c>-</c>.</summary>
internal static class TextArgument
{
    public static async Task<string> ReadAsync(string what, string? value, CancellationToken cancellationToken)
    {
        string text;
        if (value == "-")
        {
            using var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            text = await stdin.ReadToEndAsync(cancellationToken);
            // "echo hi | relay ask x -" should send "hi", not "hi\n".
            text = text.TrimEnd('\n', '\r');
        }
        else
        {
            text = value ?? string.Empty;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw CliError.BadArgs($"the {what} is empty");
        }

        if (Encoding.UTF8.GetByteCount(text) > Limits.MaxTextBytes)
        {
            throw CliError.BadArgs($"the {what} is longer than {Limits.MaxTextBytes / 1024} KiB");
        }

        return text;
    }
}
