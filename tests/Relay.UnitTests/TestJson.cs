using System.Text.Json.Serialization;

namespace Relay.UnitTests;

/// <summary>Source-generated JSON for the few values tests serialize themselves.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class TestJson : JsonSerializerContext;
