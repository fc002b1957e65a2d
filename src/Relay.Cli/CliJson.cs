using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Relay.Cli;

/// <summary>Writes the CLI's machine-readable output: one compact JSON document per line on stdout.</summary>
internal static class CliJson
{
    /// <summary>
    /// The CLI's context with a relaxed encoder, so peer text (quotes, &lt;, unicode) stays readable. Options given
    /// to a context's constructor replace its [JsonSourceGenerationOptions], so they are copied from the generated ones.
    /// </summary>
    public static readonly CliJsonContext Context = new(new JsonSerializerOptions(CliJsonContext.Default.Options)
    {
        TypeInfoResolver = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Writes <paramref name="value"/> as one line; pass <c>CliJson.Context.X</c> as <paramref name="info"/>.</summary>
    public static void WriteLine<T>(T value, JsonTypeInfo<T> info) => Console.Out.WriteLine(JsonSerializer.Serialize(value, info));

    public static string Serialize<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.Serialize(value, info);
}
