using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Relay.Protocol;
using Xunit;

namespace Relay.UnitTests.Protocol;

public sealed class LineReaderTests
{
    [Fact]
    public async Task Lines_are_split_on_newlines_with_a_trailing_cr_dropped_and_blank_lines_skipped()
    {
        var lines = await ReadAsync(1024, "one\ntwo\r\n\n\r\nthree\n");
        Assert.Equal(["one", "two", "three"], lines);
    }

    [Fact]
    public async Task An_unterminated_last_line_is_never_delivered()
    {
        Assert.Equal(["whole"], await ReadAsync(1024, "whole\nhal", "f"));
    }

    [Fact]
    public async Task A_line_split_across_writes_arrives_whole()
    {
        Assert.Equal(["{\"type\":\"ask\"}", "x"], await ReadAsync(1024, "{\"ty", "pe\":", "\"ask\"}\nx", "\n"));
    }

    [Fact]
    public async Task A_line_over_the_limit_throws_whether_terminated_or_not()
    {
        Assert.Equal(["1234"], await ReadAsync(4, "1234\n"));
        var terminated = await Assert.ThrowsAsync<LineTooLongException>(() => ReadAsync(4, "12345\n"));
        Assert.Equal(4, terminated.Limit);
        await Assert.ThrowsAsync<LineTooLongException>(() => ReadAsync(4, "123456789"));
    }

    [Fact]
    public async Task Lines_before_an_over_long_one_are_delivered()
    {
        var lines = new List<string>();
        await Assert.ThrowsAsync<LineTooLongException>(() => ReadAsync(4, lines, "ok\n", "toolong\n"));
        Assert.Equal(["ok"], lines);
    }

    private static async Task<List<string>> ReadAsync(int max, params string[] writes)
    {
        var lines = new List<string>();
        await ReadAsync(max, lines, writes);
        return lines;
    }

    private static async Task ReadAsync(int max, List<string> lines, params string[] writes)
    {
        var pipe = new Pipe();
        var reading = LineReader.ReadLinesAsync(pipe.Reader, max, (in ReadOnlySequence<byte> line) => lines.Add(Encoding.UTF8.GetString(line)));
        foreach (var write in writes)
        {
            await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(write));
        }

        await pipe.Writer.CompleteAsync();
        await reading;
    }
}
