using Relay.Protocol;
using Xunit;

namespace Relay.UnitTests.Protocol;

public sealed class PeerNamesTests
{
    [Theory]
    [InlineData("api", true)]
    [InlineData("A.b_c-9", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("has space", false)]
    [InlineData("slash/no", false)]
    [InlineData("ünïcode", false)]
    public void IsValid_accepts_only_the_name_alphabet(string? name, bool valid) => Assert.Equal(valid, PeerNames.IsValid(name));

    [Fact]
    public void IsValid_caps_the_length_at_64()
    {
        Assert.True(PeerNames.IsValid(new string('a', PeerNames.MaxLength)));
        Assert.False(PeerNames.IsValid(new string('a', PeerNames.MaxLength + 1)));
    }

    [Theory]
    [InlineData("Backend API", "backend-api")]
    [InlineData("  --my__repo--  ", "my__repo")]
    [InlineData("Cre\u0300me bru\u0302le\u0301e", "creme-brulee")]
    [InlineData("a///b", "a-b")]
    [InlineData("日本語", "session")]
    [InlineData("", "session")]
    [InlineData(null, "session")]
    [InlineData("v1.2", "v1.2")]
    public void Slugify_maps_text_into_the_alphabet(string? text, string slug) => Assert.Equal(slug, PeerNames.Slugify(text));

    [Fact]
    public void Slugify_uses_the_fallback_and_stays_within_64_characters()
    {
        Assert.Equal("fallback", PeerNames.Slugify("???", "fallback"));
        var slug = PeerNames.Slugify(new string('x', 100) + " tail");
        Assert.Equal(new string('x', 64), slug);
        Assert.True(PeerNames.IsValid(PeerNames.Slugify(new string('a', 63) + "-b")));
    }

    [Fact]
    public void WithSuffix_counts_from_two_and_trims_the_base_to_fit()
    {
        Assert.Equal("api", PeerNames.WithSuffix("api", 1));
        Assert.Equal("api-2", PeerNames.WithSuffix("api", 2));
        Assert.Equal("api-13", PeerNames.WithSuffix("api", 13));
        var longName = PeerNames.WithSuffix(new string('a', 64), 10);
        Assert.Equal(64, longName.Length);
        Assert.EndsWith("a-10", longName, StringComparison.Ordinal);
    }
}
