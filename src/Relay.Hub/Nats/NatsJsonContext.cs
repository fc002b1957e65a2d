using System.Text.Json.Serialization;

namespace Relay.Hub.Nats;

/// <summary>Source-generated JSON for what hubs put on NATS and for <c>nats.json</c> (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    MaxDepth = 16)]
[JsonSerializable(typeof(PresenceRecord))]
[JsonSerializable(typeof(BridgeEnvelope))]
[JsonSerializable(typeof(NatsConfigFile))]
internal sealed partial class NatsJsonContext : JsonSerializerContext;
