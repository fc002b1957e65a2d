using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Relay.Hub.Nats;
using Relay.Protocol.Messages;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>What a hub does with envelopes from other hosts, whether they came live or through the stream.</summary>
public sealed class EnvelopeHandlerTests
{
    private static byte[] Ask(string fromHost, string askId) => JsonSerializer.SerializeToUtf8Bytes(
        new BridgeEnvelope
        {
            Type = BridgeEnvelope.AskType,
            FromHost = fromHost,
            AskId = askId,
            Target = "bob@here",
            From = "alice",
            To = "bob",
            Question = "q?",
            TimeoutMs = 60_000,
            SentAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        },
        NatsJsonContext.Default.BridgeEnvelope);

    [Fact]
    public void An_ask_that_came_live_and_then_through_the_stream_reaches_its_peer_once_even_after_it_was_answered()
    {
        using var world = new RouterWorld("here");
        var sender = new FakeBridgeSender("here");
        var handler = new EnvelopeHandler(world.Router, sender, new RecentAsks(new FakeTimeProvider()));
        var bob = world.Register("bob");

        handler.Handle(NatsNames.Live("team", "here", "ask", "there"), Ask("there", "a-1"), storedAt: null);
        var incoming = bob.Single<IncomingAskMessage>();
        Assert.Equal(("alice@there", "q?"), (incoming.From, incoming.Question));
        world.Send(bob, new ReplyMessage { AskId = incoming.AskId, Text = "yes" });
        bob.Drain();
        Assert.Equal(BridgeEnvelope.ReplyType, Assert.Single(sender.Drain()).Envelope.Type);

        // The asking hub did not learn in time that it was taken, so it put the ask in the stream too.
        handler.Handle(NatsNames.Inbox("team", "here", "ask", "there"), Ask("there", "a-1"), DateTimeOffset.UtcNow);
        Assert.Empty(bob.Drain());
        Assert.Empty(sender.Drain());

        // Another ask still gets through, either way.
        handler.Handle(NatsNames.Inbox("team", "here", "ask", "there"), Ask("there", "a-2"), DateTimeOffset.UtcNow);
        Assert.Equal("a-2", bob.Single<IncomingAskMessage>().AskId);
    }

    [Fact]
    public void A_live_envelope_whose_body_claims_another_host_than_its_subject_is_dropped()
    {
        using var world = new RouterWorld("here");
        var handler = new EnvelopeHandler(world.Router, new FakeBridgeSender("here"), new RecentAsks(new FakeTimeProvider()));
        var bob = world.Register("bob");

        handler.Handle(NatsNames.Live("team", "here", "ask", "mallory"), Ask("there", "a-1"), storedAt: null);
        handler.Handle("relay-live.team.here.ask", Ask("there", "a-2"), storedAt: null);
        Assert.Empty(bob.Drain());
    }

    [Theory]
    [InlineData("relay.team.here.ask.there", "there")]
    [InlineData("relay-live.team.here.reply.there", "there")]
    [InlineData("relay-other.team.here.ask.there", null)]
    [InlineData("relay-live.team.here.there", null)]
    public void The_sender_is_the_last_token_of_a_stream_or_live_subject(string subject, string? sender) =>
        Assert.Equal(sender, NatsNames.SenderOf(subject));
}
