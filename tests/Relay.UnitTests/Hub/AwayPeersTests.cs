using Relay.Hub;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>The hold store: which away peer a registration returns to, and the bounds on what is held.</summary>
public sealed class AwayPeersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_return_is_the_same_session_id_else_the_same_name_when_neither_has_one()
    {
        var away = new AwayPeers(HoldBounds.Default);
        var withSession = away.Add(Ghost("api", "s-1"), Now, TimeSpan.FromMinutes(3));
        var nameOnly = away.Add(Ghost("web", null), Now, TimeSpan.FromMinutes(3));

        Assert.Same(withSession, away.FindReturn("api-2", "s-1"));
        Assert.Null(away.FindReturn("api", "s-2"));
        Assert.Null(away.FindReturn("api", null));
        Assert.Same(nameOnly, away.FindReturn("web", null));
        Assert.Null(away.FindReturn("web", "s-3"));
        Assert.Same(withSession, away.FindByName("api"));
        Assert.Null(away.FindByName("db"));

        // The latest one to leave under a name is the one asks wait for.
        var later = away.Add(Ghost("api", "s-9"), Now.AddSeconds(5), TimeSpan.FromMinutes(3));
        Assert.Same(later, away.FindByName("api"));
        away.Remove(later);
        Assert.Same(withSession, away.FindByName("api"));
        Assert.Equal(2, away.Count);
    }

    [Fact]
    public void The_away_peer_of_a_departed_connection_is_found_while_it_is_away_and_not_after_its_return_or_expiry()
    {
        var away = new AwayPeers(HoldBounds.Default);
        var returning = Ghost("api", "s-1");
        var expiring = Ghost("web", "s-2");
        var api = away.Add(returning, Now, TimeSpan.FromMinutes(3));
        var web = away.Add(expiring, Now, TimeSpan.FromMinutes(3));

        Assert.Same(api, away.FindByGhost(returning));
        Assert.Same(web, away.FindByGhost(expiring));
        Assert.Null(away.FindByGhost(Ghost("api", "s-1")));

        // Its return (the router removes it as the new connection takes over).
        away.Remove(api);
        Assert.Null(away.FindByGhost(returning));
        Assert.Same(web, away.FindByGhost(expiring));

        // Its window ends.
        away.Remove(web);
        Assert.Null(away.FindByGhost(expiring));
        Assert.Equal(0, away.Count);
    }

    [Fact]
    public void Asks_and_bytes_are_bounded_per_away_peer_and_bytes_in_all_and_release_gives_room_back()
    {
        var away = new AwayPeers(new HoldBounds { MaxAsksPerPeer = 2, MaxBytesPerPeer = 100, MaxTotalBytes = 150 });
        var api = away.Add(Ghost("api", "s-1"), Now, TimeSpan.FromMinutes(3));
        var web = away.Add(Ghost("web", "s-2"), Now, TimeSpan.FromMinutes(3));
        var first = Ask("a-1");
        var second = Ask("a-2");

        Assert.Null(away.TryHold(api, first, 60));
        Assert.Contains("100 bytes", away.TryHold(api, second, 41), StringComparison.Ordinal);
        Assert.Null(second.HeldBy);
        Assert.Null(away.TryHold(api, second, 40));
        Assert.Contains("already has 2 asks", away.TryHold(api, Ask("a-3"), 0), StringComparison.Ordinal);
        Assert.Equal((2, 100L, 2, 100L), (api.HeldAsks, api.HeldBytes, away.TotalAsks, away.TotalBytes));

        // The total: web has room of its own but the hub does not.
        Assert.Contains("at most 150", away.TryHold(web, Ask("w-1"), 51), StringComparison.Ordinal);
        Assert.Null(away.TryHold(web, Ask("w-2"), 50));

        away.Release(first);
        away.Release(first);
        Assert.Equal((1, 40L, 2, 90L), (api.HeldAsks, api.HeldBytes, away.TotalAsks, away.TotalBytes));
        Assert.Null(away.TryHold(api, Ask("a-4"), 60));
    }

    [Fact]
    public void Kept_replies_share_the_byte_bounds_with_held_questions_and_no_ask_bound_applies_to_them()
    {
        var away = new AwayPeers(new HoldBounds { MaxAsksPerPeer = 1, MaxBytesPerPeer = 100, MaxTotalBytes = 150 });
        var ghost = Ghost("api", "s-1");
        var api = away.Add(ghost, Now, TimeSpan.FromMinutes(3));
        var web = away.Add(Ghost("web", "s-2"), Now, TimeSpan.FromMinutes(3));
        var question = Ask("a-1", ghost);
        ghost.AsksTo[question.AskId] = question;
        Assert.Null(away.TryHold(api, question, 60));

        Assert.Contains("would pass 100 bytes", away.TryKeepReply(api, 41), StringComparison.Ordinal);
        Assert.Null(away.TryKeepReply(api, 20));
        Assert.Null(away.TryKeepReply(api, 20));
        Assert.Equal((1, 100L, 40L, 100L), (api.HeldAsks, api.HeldBytes, api.EndingBytes, away.TotalBytes));

        Assert.Contains("at most 150", away.TryKeepReply(web, 51), StringComparison.Ordinal);
        Assert.Equal((0L, 100L), (web.HeldBytes, away.TotalBytes));

        away.Remove(api);
        Assert.Equal((0L, 0L), (api.EndingBytes, away.TotalBytes));
    }

    [Fact]
    public void Removing_an_away_peer_stops_counting_what_it_held_and_a_bound_of_peers_says_full()
    {
        var away = new AwayPeers(new HoldBounds { MaxAwayPeers = 1 });
        var ghost = Ghost("api", "s-1");
        var api = away.Add(ghost, Now, TimeSpan.FromMinutes(3));
        var ask = Ask("a-1", ghost);
        ghost.AsksTo[ask.AskId] = ask;
        Assert.Null(away.TryHold(api, ask, 10));
        Assert.True(away.IsFull);

        away.Remove(api);
        away.Remove(api);
        Assert.Equal((0, 0, 0L, false), (away.Count, away.TotalAsks, away.TotalBytes, api.Open));
        Assert.Null(ask.HeldBy);
        Assert.False(away.IsFull);
        Assert.Equal(Now.AddMinutes(3), api.Until);
    }

    private static FakePeer Ghost(string name, string? sessionId) => new(Now) { Name = name, SessionId = sessionId, Departed = true };

    private static PendingAsk Ask(string askId, FakePeer? target = null) => new()
    {
        AskId = askId,
        Asker = new FakePeer(Now) { Name = "alice" },
        Target = target ?? new FakePeer(Now),
        ThreadId = "t-1",
        StartedAt = 0,
    };
}
