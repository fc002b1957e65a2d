using System.Net.Sockets;
using System.Text;
using Relay.Inbox;
using Relay.Tests.Infrastructure;
using Xunit;

namespace Relay.Tests.Inbox;

/// <summary>Seeded garbage at a live listener: random bytes, invalid UTF-8, partial and huge lines, abrupt closes.</summary>
public sealed class InboxListenerFuzzTests : IDisposable
{
    private readonly InboxTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Garbage_never_crashes_the_listener_and_it_keeps_serving(int seed)
    {
        var random = new Random(seed);
        var receipts = 0;
        var messages = 0;
        var ignored = 0;
        await using var listener = new InboxListener(InboxAddress.NewIn(_dir.Path), maxLineBytes: 8192);
        listener.ReceiptReceived += _ => Interlocked.Increment(ref receipts);
        listener.MessageReceived += m =>
        {
            Assert.NotNull(m.Body);
            Interlocked.Increment(ref messages);
        };
        listener.LineIgnored += _ => Interlocked.Increment(ref ignored);
        listener.Start();

        string[] fragments =
        [
            "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"",
            "{\"type\":\"control\",\"action\":\"peer_message_status\",\"status\":\"",
            "<cross-session-message from=\\\"uds:/a/1.sock\\\">\\n", "\\n</cross-session-message>", "\"}}", "\"}", "\\u0000",
            "\n", "\r\n", "{", "}", "[", "\"", "\\", "null", "\u00e9", "\ud83d\ude00",
        ];

        var clients = Enumerable.Range(0, 40).Select(async _ =>
        {
            var payload = new List<byte>();
            int length;
            lock (random)
            {
                length = random.Next(0, 40);
                for (var i = 0; i < length; i++)
                {
                    switch (random.Next(4))
                    {
                        case 0:
                            var bytes = new byte[random.Next(1, 64)];
                            random.NextBytes(bytes);
                            payload.AddRange(bytes);
                            break;
                        case 1:
                            payload.AddRange([0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80]); // invalid UTF-8, a lone surrogate
                            break;
                        default:
                            payload.AddRange(Encoding.UTF8.GetBytes(fragments[random.Next(fragments.Length)]));
                            break;
                    }
                }

                if (random.Next(8) == 0)
                {
                    payload.AddRange(Enumerable.Repeat((byte)'a', 10_000)); // over the line cap
                }
            }

            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(listener.SocketPath));
            var data = payload.ToArray();
            var offset = 0;
            try
            {
                while (offset < data.Length)
                {
                    var chunk = Math.Min(data.Length - offset, 1 + (offset % 97));
                    offset += await socket.SendAsync(data.AsMemory(offset, chunk));
                }
            }
            catch (SocketException)
            {
                // the listener closed this connection over an over-long line: fine
            }
        });
        await Task.WhenAll(clients).WithTimeout();

        // Still serving: a good receipt and a good message arrive after all that.
        var before = (receipts, messages);
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(listener.SocketPath));
            await socket.SendAsync("""{"type":"control","action":"peer_message_status","status":"held","orig_msg_id":"x"}"""u8.ToArray().Append((byte)'\n').ToArray());
            await socket.SendAsync(InboxOutgoingLine.UserMessage("ok", "fine", null));
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref receipts) == before.receipts || Volatile.Read(ref messages) == before.messages)
        {
            Assert.True(DateTime.UtcNow < deadline, $"listener stopped serving: receipts {receipts}, messages {messages}, ignored {ignored}");
            await Task.Delay(10);
        }

        Assert.True(File.Exists(listener.SocketPath));
    }
}
