using System.Text;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary>Lines the hub fuzzer (<see cref="HubFuzzTests"/>) found mishandled, kept as fixed regression cases.</summary>
public sealed class HubFuzzFindingsTests
{
    public static TheoryData<string> Lines => new()
    {
        // Lone surrogate escapes in "type" made the bad_msg description throw: the connection died unanswered.
        """{"req_id":"r-1","ask_id":"a-23","text":"q","on_behalf_of":707,"type":"\udfff\ud800"}""",
        """{"req_id":"r-1","type":"\ud800"}""",
        """{"type":"\udfff","req_id":"r-1"}""",
        """{"req_id":"r-1","type":"ask","to":"\udfff","question":"q","ask_id":"a"}""",
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task A_line_once_mishandled_gets_one_bad_msg_with_its_req_id_and_the_connection_keeps_working(string line)
    {
        await using var world = await HubWorld.StartAsync();
        var alice = await world.PeerAsync("alice");

        await alice.SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));

        var err = await alice.NextAsync<ErrMessage>();
        Assert.True(err.Code is ErrorCodes.BadMsg or ErrorCodes.PeerNotFound, err.Code);
        Assert.Equal("r-1", err.ReqId);
        await alice.ExpectNoMessageAsync();
        Assert.Single((await alice.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers);
    }
}
