namespace Relay.Tests.Infrastructure;

public static class EnvironmentExtensions
{
    /// <summary>A copy of an environment with one variable set (null removes it).</summary>
    public static Dictionary<string, string?> With(this IReadOnlyDictionary<string, string?> env, string key, string? value) =>
        new(env) { [key] = value };
}
