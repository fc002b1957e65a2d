using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Relay.Protocol;

namespace Relay.Tests.Hub;

/// <summary>One generated input line (without its newline) and what the hub must answer it with.</summary>
/// <param name="Bytes">The line's bytes; never contains '\n' and is never blank after the hub drops a trailing '\r'.</param>
/// <param name="Tag">The <c>req_id</c> the single answer must carry, or null when the answer must carry none.</param>
/// <param name="What">A short label for failure messages and statistics.</param>
internal sealed record FuzzLine(byte[] Bytes, string? Tag, string What);

/// <summary>
/// A reproducible generator of hostile hub input: random bytes, invalid UTF-8, broken and deeply nested JSON, and
/// every client message type (plus server types sent the wrong way) with fields mutated to wrong types, huge numbers,
/// over-long and invalid strings. Lines of the "tagged" kind are JSON objects whose first member is a unique
/// <c>req_id</c>, so the hub can always read it back (even when the rest is invalid); every other line is made never
/// to contain <c>req_id</c>, so its answer must carry none. Deterministic for a given seed.
/// </summary>
internal sealed class HubFuzzGenerator
{
    private static readonly string[] ClientTypes = ["register", "rename", "list_peers", "ask", "reply", "broadcast", "watch", "hub_status"];

    private static readonly string[] OtherTypes = ["ack", "err", "peers", "incoming_ask", "incoming_reply", "broadcast_ack", "hub_status_reply", "event", "", "ASK", "ask ", "launch", "register\u0000"];

    private static readonly Dictionary<string, string[]> Fields = new()
    {
        ["register"] = ["name", "protocol_version", "cwd", "git_branch", "pid", "kind"],
        ["rename"] = ["name"],
        ["list_peers"] = [],
        ["ask"] = ["to", "question", "ask_id", "thread_id", "timeout_ms"],
        ["reply"] = ["ask_id", "text", "on_behalf_of"],
        ["broadcast"] = ["question", "thread_id", "timeout_ms"],
        ["watch"] = ["protocol_version"],
        ["hub_status"] = [],
    };

    private static readonly string[] HugeNumbers =
    [
        "1e400", "-1e400", "99999999999999999999999999", "-99999999999999999999999999", "9223372036854775808",
        "-9223372036854775809", "2147483648", "-2147483649", "1.5", "-0", "0", "-1", "1e-400", "0.0000001", "1E2",
        "123456789012345678901234567890.5",
    ];

    private readonly Random _random;
    private readonly string _tagPrefix;
    private long _next;

    public HubFuzzGenerator(int seed, string tagPrefix)
    {
        _random = new Random(seed);
        _tagPrefix = tagPrefix;
    }

    public Random Random => _random;

    /// <summary>The next line; about half are tagged JSON messages, the rest untagged garbage or mutations.</summary>
    public FuzzLine Next()
    {
        var roll = _random.Next(100);
        return roll < 55 ? Tagged() : Untagged(roll);
    }

    /// <summary>Bytes of a line cut off before its newline (the connection then closes): never answered.</summary>
    public byte[] Partial()
    {
        var line = Next().Bytes;
        return line.Length <= 1 ? "{\"type\":"u8.ToArray() : line[..(1 + _random.Next(line.Length - 1))];
    }

    private FuzzLine Tagged()
    {
        var tag = _tagPrefix + (++_next).ToString(CultureInfo.InvariantCulture);
        var type = _random.Next(10) < 8 ? Pick(ClientTypes) : Pick(OtherTypes);
        var json = new Json();
        json.Raw("{\"req_id\":");
        json.String(tag);
        var typeFirst = _random.Next(2) == 0;
        if (typeFirst)
        {
            WriteType(json, type);
        }

        var valid = _random.Next(100) < 35;
        if (Fields.TryGetValue(type, out var fields))
        {
            foreach (var field in fields)
            {
                if (!valid && _random.Next(8) == 0)
                {
                    continue; // missing
                }

                json.Raw(",");
                json.String(field);
                json.Raw(":");
                if (valid || _random.Next(3) != 0)
                {
                    ValidValue(json, field);
                }
                else
                {
                    HostileValue(json);
                }
            }
        }

        var extras = valid ? 0 : _random.Next(3);
        for (var i = 0; i < extras; i++)
        {
            json.Raw(",");
            json.String(_random.Next(4) == 0 ? Pick(["type", "name", "ask_id", "x", "\u00e9", "a\u0000b"]) : "x" + i);
            json.Raw(":");
            HostileValue(json);
        }

        if (!typeFirst)
        {
            WriteType(json, type);
        }

        json.Raw("}");
        if (!valid && _random.Next(10) == 0)
        {
            // Broken after the tag: the hub must still find the req_id for its bad_msg.
            json.Raw(Pick([",", "}", " x", "\"", ",\"y\":", "]"]));
        }

        var bytes = json.ToArray();
        // Kept under the line limit: an over-long line closes the connection, which sessions test on purpose.
        return bytes.Length < Limits.MaxLineBytes - 64
            ? new FuzzLine(bytes, tag, valid ? "valid " + type : "mutated " + type)
            : new FuzzLine(Encoding.UTF8.GetBytes($"{{\"req_id\":\"{tag}\",\"type\":\"hub_status\"}}"), tag, "hub_status");
    }

    private void WriteType(Json json, string type)
    {
        json.Raw(",\"type\":");
        switch (_random.Next(20))
        {
            case 0:
                json.Raw(Pick(["7", "null", "true", "[\"ask\"]", "{\"v\":\"ask\"}"]));
                break;
            default:
                json.String(type);
                break;
        }
    }

    private void ValidValue(Json json, string field)
    {
        switch (field)
        {
            case "name" or "to" or "on_behalf_of":
                json.String(Name());
                break;
            case "protocol_version":
                json.Raw(_random.Next(10) == 0 ? "2" : "1");
                break;
            case "question" or "text":
                json.String(Text());
                break;
            case "ask_id":
                json.String("a-" + _random.Next(30).ToString(CultureInfo.InvariantCulture));
                break;
            case "thread_id":
                json.String("t-" + _random.Next(5).ToString(CultureInfo.InvariantCulture));
                break;
            case "timeout_ms":
                json.Raw(Pick(["50", "200", "1000", "60000", "86400001"]));
                break;
            case "pid":
                json.Raw(_random.Next(100000).ToString(CultureInfo.InvariantCulture));
                break;
            case "kind":
                json.String(Pick(["cli", "claude", "script"]));
                break;
            default:
                json.String(Pick(["/tmp/x", "main", "feature/é"]));
                break;
        }
    }

    private string Name() => _random.Next(12) switch
    {
        0 => "alice",
        1 => "bob",
        2 => Pick(["", "bad name", "a/b", new string('n', 65), "ünï", ".", "-"]),
        _ => "fz-" + _random.Next(8).ToString(CultureInfo.InvariantCulture),
    };

    private string Text() => _random.Next(40) switch
    {
        0 => new string('q', (512 * 1024) + 1 + _random.Next(1000)), // over the text limit
        1 when _random.Next(10) == 0 => new string('é', (256 * 1024) + _random.Next(3)), // at it in UTF-8 bytes
        2 => "",
        3 => "\u0000\u0001\u001f\u2028\ud83d\ude00",
        _ => "q" + _random.Next(1000).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Anything but the expected value: wrong types, huge numbers, deep nesting, bad strings.</summary>
    private void HostileValue(Json json)
    {
        switch (_random.Next(12))
        {
            case 0:
                json.Raw(Pick(HugeNumbers));
                break;
            case 1:
                json.Raw(Pick(["null", "true", "false", "[]", "{}", "[1,\"a\",null]", "{\"a\":{\"b\":1}}"]));
                break;
            case 2:
                Nest(json, 10 + _random.Next(_random.Next(3) == 0 ? 20_000 : 40));
                break;
            case 3:
                json.Raw("\"");
                json.Bytes(InvalidUtf8());
                json.Raw("\"");
                break;
            case 4:
                json.Raw(Pick(["\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"", "\"\\x41\"", "\"\\u12\"", "\"abc", "'single'", "NaN", "Infinity", "-", "01", "1.", ".5", "+1"]));
                break;
            case 5:
                json.String(new string('x', 129 + _random.Next(_random.Next(4) == 0 ? 200_000 : 300)));
                break;
            case 6:
                json.String(Pick(["", " ", "alice", "bob", "fz-1", "a-1", "\t", "ü"]));
                break;
            default:
                json.Raw(_random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture));
                break;
        }
    }

    private void Nest(Json json, int depth)
    {
        var objects = _random.Next(2) == 0;
        for (var i = 0; i < depth; i++)
        {
            json.Raw(objects ? "{\"a\":" : "[");
        }

        json.Raw("1");
        if (_random.Next(5) != 0)
        {
            for (var i = 0; i < depth; i++)
            {
                json.Raw(objects ? "}" : "]");
            }
        }
    }

    private byte[] InvalidUtf8() => _random.Next(6) switch
    {
        0 => [0xC3, 0x28],
        1 => [0xFF, 0xFE, 0xFD],
        2 => [0xED, 0xA0, 0x80], // an encoded surrogate
        3 => [0xC0, 0xAF], // overlong '/'
        4 => [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
        _ => [0xE2, 0x82], // truncated
    };

    private FuzzLine Untagged(int roll)
    {
        byte[] bytes;
        string what;
        switch (roll % 6)
        {
            case 0:
                bytes = new byte[1 + _random.Next(_random.Next(10) == 0 ? 20_000 : 200)];
                _random.NextBytes(bytes);
                what = "random bytes";
                break;
            case 1:
                bytes = Mutate(Tagged().Bytes);
                what = "byte-mutated message";
                break;
            case 2:
                {
                    var json = new Json();
                    json.Raw(Pick(["{\"type\":\"ask\",\"question\":\"", "\"", "{\"", "["]));
                    json.Bytes(InvalidUtf8());
                    json.Raw(Pick(["\"}", "", "\",\"to\":\"bob\"}"]));
                    bytes = json.ToArray();
                    what = "invalid UTF-8";
                    break;
                }

            case 3:
                {
                    var json = new Json();
                    Nest(json, 1 + _random.Next(_random.Next(3) == 0 ? 50_000 : 100));
                    bytes = json.ToArray();
                    what = "deep nesting";
                    break;
                }

            case 4:
                bytes = Encoding.UTF8.GetBytes(Pick(["null", "42", "1e999", "-1e999", "\"register\"", "[]", "{}", "{\"type\":null}", "true", " ", "\t", "hello hub", "{\"type\":\"list_peers\"} trailing", "{\"type\":\"list_peers\"}{\"type\":\"list_peers\"}", "\u00ef\u00bb\u00bf{}", "\ufeff{\"type\":\"hub_status\"}"]));
                what = "odd JSON";
                break;
            default:
                bytes = Encoding.UTF8.GetBytes(StripTag(Encoding.UTF8.GetString(Tagged().Bytes)));
                what = "message without req_id";
                break;
        }

        return new FuzzLine(Sanitize(bytes), null, what);
    }

    private byte[] Mutate(byte[] line)
    {
        var bytes = new List<byte>(line);
        var edits = 1 + _random.Next(4);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(4))
            {
                case 0:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, (byte)_random.Next(256));
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Removes the leading req_id member a tagged line starts with.</summary>
    private static string StripTag(string line)
    {
        var comma = line.IndexOf(',', StringComparison.Ordinal);
        return comma < 0 ? "{}" : "{" + line[(comma + 1)..];
    }

    /// <summary>No newline inside, not blank to the hub, and no readable req_id.</summary>
    private static byte[] Sanitize(byte[] bytes)
    {
        var list = new List<byte>(bytes.Length);
        foreach (var b in bytes)
        {
            list.Add(b == (byte)'\n' ? (byte)' ' : b);
        }

        var effective = list.Count > 0 && list[^1] == (byte)'\r' ? list.Count - 1 : list.Count;
        if (effective == 0)
        {
            list.Insert(0, (byte)'x');
        }

        var text = list.ToArray();
        var marker = "req_id"u8;
        for (var at = text.AsSpan().IndexOf(marker); at >= 0; at = text.AsSpan().IndexOf(marker))
        {
            text[at + 5] = (byte)'x';
        }

        return text;
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    /// <summary>A byte buffer with JSON helpers that happily write invalid JSON.</summary>
    private sealed class Json
    {
        private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        private readonly MemoryStream _bytes = new();

        public void Raw(string text) => Bytes(Encoding.UTF8.GetBytes(text));

        public void Bytes(byte[] bytes) => _bytes.Write(bytes);

        public void String(string value) => Raw(JsonSerializer.Serialize(value, Options));

        public byte[] ToArray() => _bytes.ToArray();
    }
}
