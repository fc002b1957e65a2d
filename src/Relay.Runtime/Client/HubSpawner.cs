using System.Diagnostics;

namespace Relay.Runtime.Client;

/// <summary>
/// Starts <c>relay hub --detach</c>: the hub puts itself in a new session (so a terminal Ctrl-C does not reach it)
/// and points its stdio at /dev/null. Its stdio here are pipes the parent closes at once, so the hub never holds
/// the caller's stdout (for a channel, Claude Code's JSON-RPC pipe).
/// </summary>
public static class HubSpawner
{
    public static void Spawn(DataDir dataDir)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        var (fileName, prefix) = SelfCommand();
        start.FileName = fileName;
        foreach (var arg in prefix)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("hub");
        start.ArgumentList.Add("--detach");
        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDir.Path);
        using var process = Process.Start(start) ?? throw new HubUnreachableException("could not start the hub");
        process.StandardInput.Close();
        process.StandardOutput.Close();
        process.StandardError.Close();
    }

    /// <summary>How to run this same relay executable: the native binary, or <c>dotnet relay.dll</c>.</summary>
    public static (string FileName, string[] Prefix) SelfCommand()
    {
        if (Environment.GetEnvironmentVariable("RELAY_EXE") is { Length: > 0 } exe)
        {
            return (exe, []);
        }

        var processPath = Environment.ProcessPath ?? throw new HubUnreachableException("cannot tell where the relay executable is");
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            var entry = Path.Combine(AppContext.BaseDirectory, "relay.dll");
            return (processPath, [entry]);
        }

        return (processPath, []);
    }
}
