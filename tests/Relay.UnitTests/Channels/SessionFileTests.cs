using Relay.Channels;
using Xunit;

namespace Relay.UnitTests.Channels;

/// <summary>Reading the name a user gave a Claude Code session from <c>~/.claude/sessions/&lt;pid&gt;.json</c>.</summary>
public sealed class SessionFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("relay-session-").FullName;

    [Theory]
    [InlineData("""{"pid":1,"name":"backend-api","nameSource":"user"}""", "backend-api")]
    [InlineData("""{"name":"backend-api"}""", "backend-api")]
    [InlineData("""{"meta":{"name":"nested"},"name":"top","list":[1,{"name":"x"}]}""", "top")]
    [InlineData("""{"name":"auto","nameSource":"derived"}""", null)]
    [InlineData("""{"nameSource":"user"}""", null)]
    [InlineData("""{"name":"   "}""", null)]
    [InlineData("""{"name":42}""", null)]
    [InlineData("""{"name":"cut off""", null)]
    [InlineData("""{"name":"x"} trailing""", "x")]
    [InlineData("""["name","x"]""", null)]
    [InlineData("", null)]
    public void Only_a_user_chosen_name_in_a_whole_file_counts(string content, string? expected)
    {
        var path = Path.Combine(_dir, "1.json");
        File.WriteAllText(path, content);
        Assert.Equal(expected, SessionFile.TryReadUserName(path));
    }

    [Fact]
    public void A_missing_file_has_no_name() => Assert.Null(SessionFile.TryReadUserName(Path.Combine(_dir, "missing.json")));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
