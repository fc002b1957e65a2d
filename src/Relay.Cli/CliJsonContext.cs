using System.Text.Json.Serialization;
using Relay.Cli.Doctor;
using Relay.Cli.Listen;
using Relay.Protocol.Messages;

namespace Relay.Cli;

/// <summary>Source-generated JSON for everything the CLI prints or stores (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorOutput))]
[JsonSerializable(typeof(AskOutput))]
[JsonSerializable(typeof(AskProgressOutput))]
[JsonSerializable(typeof(PeersOutput))]
[JsonSerializable(typeof(BroadcastReplyLine))]
[JsonSerializable(typeof(BroadcastMissingLine))]
[JsonSerializable(typeof(BroadcastSummaryLine))]
[JsonSerializable(typeof(ListenAskLine))]
[JsonSerializable(typeof(ListenRepliedLine))]
[JsonSerializable(typeof(ReplyOutput))]
[JsonSerializable(typeof(HubStatusOutput))]
[JsonSerializable(typeof(HubEventMessage))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(HeldAsk))]
[JsonSerializable(typeof(string))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
