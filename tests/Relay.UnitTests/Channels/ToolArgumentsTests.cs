using System.Text.Json;
using Relay.Channels;
using Relay.Protocol;
using Xunit;

namespace Relay.UnitTests.Channels;

/// <summary>The channel tools' argument checks: every problem is a <see cref="BadArgsException"/> naming the argument.</summary>
public sealed class ToolArgumentsTests
{
    [Fact]
    public void Required_strings_must_be_present_non_null_strings()
    {
        var args = Args("""{"to":"api","n":3,"nothing":null}""");
        Assert.Equal("api", args.RequiredString("to"));
        Assert.Equal("missing required argument \"question\"", Assert.Throws<BadArgsException>(() => args.RequiredString("question")).Message);
        Assert.Contains("\"nothing\"", Assert.Throws<BadArgsException>(() => args.RequiredString("nothing")).Message, StringComparison.Ordinal);
        Assert.Equal("argument \"n\" must be a string, not number", Assert.Throws<BadArgsException>(() => args.RequiredString("n")).Message);
        Assert.Throws<BadArgsException>(() => new ToolArguments(null).RequiredString("to"));
    }

    [Fact]
    public void Optional_strings_read_absent_null_and_empty_as_null_but_not_wrong_types()
    {
        var args = Args("""{"thread_id":"","nothing":null,"set":"t-1","n":true}""");
        Assert.Null(args.OptionalString("thread_id"));
        Assert.Null(args.OptionalString("nothing"));
        Assert.Null(args.OptionalString("absent"));
        Assert.Equal("t-1", args.OptionalString("set"));
        Assert.Throws<BadArgsException>(() => args.OptionalString("n"));
        Assert.Null(new ToolArguments(null).OptionalString("x"));
    }

    [Fact]
    public void Ids_must_be_non_blank_and_at_most_128_characters()
    {
        var longId = new string('a', Limits.MaxIdLength + 1);
        var args = Args($$"""{"ok":"a-1","blank":"  ","long":"{{longId}}","max":"{{longId[1..]}}"}""");
        Assert.Equal("a-1", args.RequiredId("ok"));
        Assert.Equal(Limits.MaxIdLength, args.RequiredId("max").Length);
        Assert.Equal("argument \"blank\" must not be empty", Assert.Throws<BadArgsException>(() => args.RequiredId("blank")).Message);
        Assert.Contains("longer than 128", Assert.Throws<BadArgsException>(() => args.RequiredId("long")).Message, StringComparison.Ordinal);
        Assert.Null(args.OptionalId("absent"));
        Assert.Throws<BadArgsException>(() => args.OptionalId("long"));
    }

    [Fact]
    public void Texts_are_capped_at_512_KiB_of_utf8()
    {
        var atLimit = new string('x', Limits.MaxTextBytes);
        Assert.Equal(atLimit, Text(atLimit).RequiredText("text"));
        var message = Assert.Throws<BadArgsException>(() => Text(atLimit + "x").RequiredText("text")).Message;
        Assert.Equal($"\"text\" is {Limits.MaxTextBytes + 1} bytes; the limit is {Limits.MaxTextBytes} bytes (512 KiB)", message);
        // Three UTF-8 bytes per character: a third of the characters reach the same limit.
        Assert.Throws<BadArgsException>(() => Text(new string('€', (Limits.MaxTextBytes / 3) + 1)).RequiredText("text"));
    }

    [Fact]
    public void A_text_within_512_KiB_that_would_not_fit_a_hub_line_once_escaped_is_refused()
    {
        // A control character is one UTF-8 byte but six once JSON-escaped (\u0001).
        var controls = new string('\u0001', Limits.MaxTextBytes / 2);
        Assert.Contains("too long to send once JSON-encoded", Assert.Throws<BadArgsException>(() => Text(controls).RequiredText("text")).Message, StringComparison.Ordinal);
        var quotes = new string('"', Limits.MaxTextBytes / 2);
        Assert.Equal(quotes, Text(quotes).RequiredText("text"));
    }

    private static ToolArguments Text(string text) =>
        new(new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement(text, TestJson.Default.String) });

    private static ToolArguments Args(string json)
    {
        using var document = JsonDocument.Parse(json);
        var arguments = new Dictionary<string, JsonElement>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            arguments[property.Name] = property.Value.Clone();
        }

        return new ToolArguments(arguments);
    }
}
