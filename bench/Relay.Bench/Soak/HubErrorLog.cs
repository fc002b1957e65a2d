namespace Relay.Bench.Soak;

/// <summary>The hub's log lines in a data dir that are errors or carry an exception (a handler that threw logs <c>hub_error</c>).</summary>
internal static class HubErrorLog
{
    public static List<string> Read(string dataDir)
    {
        var errors = new List<string>();
        var logs = Path.Combine(dataDir, "logs");
        if (!Directory.Exists(logs))
        {
            return errors;
        }

        foreach (var file in Directory.GetFiles(logs, "*.log"))
        {
            try
            {
                errors.AddRange(File.ReadLines(file).Where(line =>
                    line.Contains("\"role\":\"hub\"", StringComparison.Ordinal)
                    && (line.Contains("\"level\":\"error\"", StringComparison.Ordinal) || line.Contains("\"level\":\"fatal\"", StringComparison.Ordinal) || line.Contains("\"error\":", StringComparison.Ordinal))));
            }
            catch (IOException)
            {
            }
        }

        return errors;
    }
}
