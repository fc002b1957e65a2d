using System.Net.Sockets;
using System.Text;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.Tests.Hub;

/// <summary>A peer that stops reading only hurts itself.</summary>
public sealed class HubSlowPeerTests
{
    [Fact]
    public async Task A_stuck_peer_does_not_delay_another_pair_and_is_dropped_with_peer_gone_to_its_askers()
    {
        // A small outbox bound so the overflow comes after a few hundred KiB, not 32 MiB.
        await using var world = await HubWorld.StartAsync(new Dictionary<string, string?> { ["RELAY_HUB_OUTBOX_MAX_BYTES"] = "262144" });
        var asker = await world.PeerAsync("asker");
        var carol = await world.PeerAsync("carol");
        var dave = await world.PeerAsync("dave");
        using var stuck = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await stuck.ConnectAsync(new UnixDomainSocketEndPoint(world.SocketPath));
        // Registers, then never reads a byte.
        await stuck.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"register\",\"name\":\"stuck\",\"protocol_version\":1}\n"));
        await asker.WaitForPeerAsync("stuck");

        // Fill the stuck peer's socket buffer and part of its outbox (16 x 16 KiB stays under 256 KiB of outbox).
        var question = new string('q', 16 * 1024);
        var sent = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            var askId = "s-" + i;
            await asker.RequestAsync<AckMessage>(new AskMessage { To = "stuck", Question = question, AskId = askId });
            sent.Add(askId);
        }

        // Another pair is served at once while the stuck peer's data piles up.
        for (var i = 0; i < 20; i++)
        {
            await carol.RequestAsync<AckMessage>(new AskMessage { To = "dave", Question = "ping " + i, AskId = "c-" + i });
            Assert.Equal("c-" + i, (await dave.NextAsync<IncomingAskMessage>()).AskId);
            await dave.RequestAsync<AckMessage>(new ReplyMessage { AskId = "c-" + i, Text = "pong" });
            Assert.Equal("pong", (await carol.NextAsync<IncomingReplyMessage>()).Text);
        }

        // Keep asking until the outbox overflows: the hub drops the stuck peer and every pending ask gets peer_gone.
        var gone = new HashSet<string>();
        for (var i = 16; i < 2000 && gone.Count == 0; i++)
        {
            var askId = "s-" + i;
            var reqId = "r-" + i;
            await asker.SendAsync(new AskMessage { To = "stuck", Question = question, AskId = askId, ReqId = reqId });
            while (true)
            {
                var answer = await asker.NextAsync();
                if (answer is ErrMessage { Code: ErrorCodes.PeerGone } err)
                {
                    Assert.Equal("stuck", err.To);
                    gone.Add(err.AskId!);
                }
                else if (answer.ReqId == reqId)
                {
                    if (answer is AckMessage)
                    {
                        sent.Add(askId);
                    }
                    else
                    {
                        Assert.Equal(ErrorCodes.PeerNotFound, Assert.IsType<ErrMessage>(answer).Code);
                    }

                    break;
                }
                else
                {
                    Assert.Fail("unexpected line for the asker: " + answer.GetType().Name);
                }
            }
        }

        while (gone.Count < sent.Count)
        {
            var err = await asker.NextErrAsync(ErrorCodes.PeerGone);
            Assert.Equal("stuck", err.To);
            gone.Add(err.AskId!);
        }

        Assert.Equal(sent.Order(), gone.Order());
        var peers = (await asker.RequestAsync<PeersMessage>(new ListPeersMessage())).Peers.Select(p => p.Name);
        Assert.DoesNotContain("stuck", peers);
        Assert.Contains(HubLogEvents.PeerDroppedSlow, await world.Sandbox.ReadLogsAsync(), StringComparison.Ordinal);
    }
}
