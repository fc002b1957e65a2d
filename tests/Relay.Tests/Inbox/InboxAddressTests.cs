using Relay.Inbox;
using Xunit;

namespace Relay.Tests.Inbox;

public sealed class InboxAddressTests
{
    [Theory]
    [InlineData("4709.sock", true)]
    [InlineData("4709-3c91d658.sock", true)]
    [InlineData("abcdef0123.sock", true)]
    [InlineData("0123456789abcdef.sock", true)]
    [InlineData("12345678901234567890.sock", true)]
    [InlineData("0123456789abcdef0.sock", false)]
    [InlineData("4709-3C91D658.sock", false)]
    [InlineData("4709-3c91d65.sock", false)]
    [InlineData("4709-3c91d6581.sock", false)]
    [InlineData("-3c91d658.sock", false)]
    [InlineData("relay-x.sock", false)]
    [InlineData(".sock", false)]
    [InlineData("4709.socket", false)]
    [InlineData("4709", false)]
    public void Well_known_file_names(string name, bool accepted) => Assert.Equal(accepted, InboxAddress.IsWellKnownFileName(name));

    [Fact]
    public void NewIn_makes_our_pid_and_8_hex()
    {
        var path = InboxAddress.NewIn("/tmp/cc-socks");
        Assert.Equal("/tmp/cc-socks", Path.GetDirectoryName(path));
        var name = Path.GetFileName(path);
        Assert.StartsWith(Environment.ProcessId + "-", name, StringComparison.Ordinal);
        Assert.True(InboxAddress.IsWellKnownFileName(name), name);
        Assert.NotEqual(path, InboxAddress.NewIn("/tmp/cc-socks"));
    }

    [Theory]
    [InlineData("uds:/tmp/cc-socks/1.sock", "/tmp/cc-socks/1.sock")]
    [InlineData("/tmp/cc-socks/1.sock", "/tmp/cc-socks/1.sock")]
    [InlineData("uds:/run/user/0/cc-socks/relay-x.sock", "/run/user/0/cc-socks/relay-x.sock")]
    public void TryParse_accepts_absolute_sock_paths(string address, string path)
    {
        Assert.True(InboxAddress.TryParse(address, out var parsed));
        Assert.Equal(path, parsed);
        Assert.Equal("uds:" + path, InboxAddress.ToUri(parsed));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("uds:")]
    [InlineData("uds:relative/1.sock")]
    [InlineData("uds:/tmp/a b/1.sock")]
    [InlineData("uds:/tmp/a\n/1.sock")]
    [InlineData("uds:/tmp/1.socket")]
    [InlineData("bridge:session_01")]
    [InlineData("UDS:/tmp/1.sock")]
    public void TryParse_rejects_everything_else(string? address) => Assert.False(InboxAddress.TryParse(address, out _));

    [Fact]
    public void Reachable_means_same_directory()
    {
        Assert.True(InboxAddress.IsReachableFrom("uds:/tmp/cc-socks/9-0011aabb.sock", "/tmp/cc-socks/4709.sock"));
        Assert.True(InboxAddress.IsReachableFrom("/tmp/cc-socks/relay.sock", "uds:/tmp/cc-socks/4709.sock"));
        Assert.False(InboxAddress.IsReachableFrom("/tmp/other/9-0011aabb.sock", "/tmp/cc-socks/4709.sock"));
        Assert.False(InboxAddress.IsReachableFrom("/tmp/cc-socks/x.txt", "/tmp/cc-socks/4709.sock"));
    }
}
