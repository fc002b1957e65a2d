using Relay.Runtime.Client;
using Xunit;

namespace Relay.UnitTests.Protocol;

public sealed class PeerRegistrarTests
{
    [Fact]
    public void Registration_candidates_start_with_the_held_name_then_suffix_the_base()
    {
        Assert.Equal(["api-2", "api", "api-3", "api-4"], PeerRegistrar.Candidates("api-2", "api").Take(4));
        Assert.Equal(["cli-me", "cli-me-2", "cli-me-3"], PeerRegistrar.Candidates("cli-me", "cli-me", max: 3));
        Assert.Equal(["ops"], PeerRegistrar.Candidates("ops", "ops", max: 1));
    }
}
