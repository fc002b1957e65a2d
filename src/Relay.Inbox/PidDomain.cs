namespace Relay.Inbox;

/// <summary>
/// The pid namespace a session record's pid belongs to, as Claude Code 2.1.332 writes it on Linux:
/// <c>linux:&lt;/etc/machine-id&gt;:pid:[&lt;inode of /proc/self/ns/pid&gt;]</c>. A record from another domain names a pid
/// that means nothing here.
/// </summary>
public static class PidDomain
{
    private static readonly Lazy<string?> CurrentValue = new(Compute);

    /// <summary>This process's domain, or null when it cannot be read.</summary>
    public static string? Current => CurrentValue.Value;

    private static string? Compute()
    {
        try
        {
            var machineId = File.ReadAllText("/etc/machine-id").Trim();
            var ns = new FileInfo("/proc/self/ns/pid").LinkTarget;
            return machineId.Length == 0 || string.IsNullOrEmpty(ns) ? null : $"linux:{machineId}:{ns}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
