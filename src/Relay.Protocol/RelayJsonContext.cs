using System.Text.Json.Serialization;
using Relay.Protocol.Messages;

namespace Relay.Protocol;

/// <summary>The one source-generated JSON context for every wire message (no reflection serialization).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    AllowTrailingCommas = false,
    MaxDepth = 16)]
[JsonSerializable(typeof(ClientMessage))]
[JsonSerializable(typeof(ServerMessage))]
[JsonSerializable(typeof(PeerInfo))]
public sealed partial class RelayJsonContext : JsonSerializerContext;
