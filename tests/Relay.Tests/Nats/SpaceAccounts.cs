using System.Text;

namespace Relay.Tests.Nats;

/// <summary>
/// A nats-server configuration for one relay space as docs/across-machines.md describes it: the space is an account
/// with JetStream, each host a user whose publish permissions allow only its own envelopes
/// (<c>relay.&lt;space&gt;.*.*.&lt;host&gt;</c>, <c>relay-live.&lt;space&gt;.*.*.&lt;host&gt;</c>) and acknowledgements
/// (<c>relay-ack.&lt;space&gt;.*.a.&lt;host&gt;</c>), its own presence keys, its own consumer and the JetStream API
/// subjects a hub uses; it may subscribe only to its reply inboxes and its own live and acknowledgement subjects.
/// </summary>
internal static class SpaceAccounts
{
    /// <summary>Which live-path lines a host's permissions have.</summary>
    public enum Live
    {
        /// <summary>The permissions written before the live path: no <c>relay-live</c> or <c>relay-ack</c> subjects.</summary>
        None,

        /// <summary>
        /// Those of the first live path (a request/reply each): <c>relay-live</c> subjects and <c>allow_responses</c>,
        /// no <c>relay-ack</c> subjects.
        /// </summary>
        WithoutAcks,

        /// <summary>What docs/across-machines.md gives today.</summary>
        Full,
    }

    public static string Password(string host) => "pw-" + host;

    /// <param name="space">The relay space: the account.</param>
    /// <param name="hosts">One user per host, named after it.</param>
    /// <param name="listen">The server's address:port.</param>
    /// <param name="storeDir">The JetStream store.</param>
    /// <param name="live">Which live-path lines: hubs must still work under older ones, through the stream.</param>
    public static string Config(string space, IEnumerable<string> hosts, string listen, string storeDir, Live live = Live.Full)
    {
        var users = new StringBuilder();
        foreach (var host in hosts)
        {
            users.Append("      { user: ").Append(host).Append(", password: ").Append(Password(host)).AppendLine(", permissions: {");
            users.Append("          publish: { allow: [").AppendJoin(", ", PublishAllow(space, host, live).Select(s => '"' + s + '"')).AppendLine("] }");
            users.Append("          subscribe: { allow: [").AppendJoin(", ", SubscribeAllow(space, host, live).Select(s => '"' + s + '"')).AppendLine("] }");
            if (live == Live.WithoutAcks)
            {
                users.AppendLine("          allow_responses: true");
            }

            users.AppendLine("      } }");
        }

        return $$"""
            listen: {{listen}}
            jetstream: { store_dir: "{{storeDir}}" }
            accounts: {
              {{space}}: {
                jetstream: enabled
                users: [
            {{users}}    ]
              }
            }
            """;
    }

    /// <summary>What host <paramref name="host"/> of <paramref name="space"/> may subscribe to: its reply inboxes, its live and acknowledgement subjects.</summary>
    public static IEnumerable<string> SubscribeAllow(string space, string host, Live live = Live.Full) => live switch
    {
        Live.Full => ["_INBOX.>", $"relay-live.{space}.{host}.>", $"relay-ack.{space}.{host}.>"],
        Live.WithoutAcks => ["_INBOX.>", $"relay-live.{space}.{host}.>"],
        _ => ["_INBOX.>"],
    };

    /// <summary>What host <paramref name="host"/> of <paramref name="space"/> may publish to.</summary>
    public static IEnumerable<string> PublishAllow(string space, string host, Live live = Live.Full)
    {
        var stream = "relay-" + space;
        var bucket = "KV_relay-" + space + "-peers";
        var consumer = "host-" + host;
        return
        [
            .. live switch
            {
                Live.Full => [$"relay-live.{space}.*.*.{host}", $"relay-ack.{space}.*.a.{host}"],
                Live.WithoutAcks => [$"relay-live.{space}.*.*.{host}"],
                _ => Array.Empty<string>(),
            },
            $"relay.{space}.*.*.{host}",
            $"$KV.relay-{space}-peers.{host}",
            $"$KV.relay-{space}-peers.{host}.>",
            "$JS.API.INFO",
            $"$JS.API.STREAM.INFO.{stream}",
            $"$JS.API.STREAM.CREATE.{stream}",
            $"$JS.API.STREAM.UPDATE.{stream}",
            $"$JS.API.CONSUMER.CREATE.{stream}.{consumer}.relay.{space}.{host}.>",
            $"$JS.API.CONSUMER.INFO.{stream}.{consumer}",
            $"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}",
            $"$JS.ACK.{stream}.{consumer}.>",
            $"$JS.API.STREAM.INFO.{bucket}",
            $"$JS.API.STREAM.CREATE.{bucket}",
            $"$JS.API.STREAM.UPDATE.{bucket}",
            $"$JS.API.CONSUMER.CREATE.{bucket}.>",
            $"$JS.API.CONSUMER.DELETE.{bucket}.>",
            $"$JS.FC.{bucket}.>",
        ];
    }
}
