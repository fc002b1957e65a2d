using System.Text;
using Relay.Hub;
using Relay.Protocol;
using Xunit;

namespace Relay.UnitTests.Hub;

/// <summary>Why a line was rejected, told without ever quoting the line.</summary>
public sealed class BadMessageTextTests
{
    [Theory]
    [InlineData("{not json", "malformed JSON")]
    [InlineData("null", "the line is JSON null, not a message object")]
    [InlineData("[1,2]", "the line is not a JSON object")]
    [InlineData("\"text\"", "the line is not a JSON object")]
    [InlineData("{}", "missing or unknown \"type\"")]
    [InlineData("{\"type\":\"launch_missiles\"}", "missing or unknown \"type\"")]
    [InlineData("{\"type\":7}", "missing or unknown \"type\"")]
    [InlineData("{\"type\":\"ask\",\"to\":5,\"question\":\"q\",\"ask_id\":\"a\"}", "ask: wrong type or null for to")]
    [InlineData("{\"type\":\"register\",\"name\":\"api\"}", "register: a required field is missing or has the wrong type")]
    public void Each_kind_of_problem_has_one_fixed_description(string line, string expected) =>
        Assert.Equal(expected, Describe(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void Invalid_utf8_is_named_as_such()
    {
        Assert.Equal("invalid UTF-8", Describe([(byte)'{', 0xff, (byte)'}']));
    }

    [Fact]
    public void Nesting_past_the_limit_is_named_as_such()
    {
        var deep = "{\"type\":\"ask\",\"x\":" + new string('[', 20) + new string(']', 20) + "}";
        Assert.Equal("JSON nested too deeply", Describe(Encoding.UTF8.GetBytes(deep)));
    }

    [Fact]
    public void The_description_never_quotes_the_input()
    {
        var line = "{\"type\":\"ask\",\"to\":\"x\",\"question\":{\"secret\":1},\"ask_id\":\"a\"}";
        var text = Describe(Encoding.UTF8.GetBytes(line));
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.StartsWith("ask: ", text, StringComparison.Ordinal);
    }

    private static string Describe(byte[] line)
    {
        var error = Assert.Throws<RelayJsonException>(() => RelayJson.ParseClient(line));
        return BadMessageText.Describe(line, error);
    }
}
