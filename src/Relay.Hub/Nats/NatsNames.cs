using System.Text;

namespace Relay.Hub.Nats;

/// <summary>
/// The NATS names of a relay space: stream <c>relay-&lt;space&gt;</c> (subjects <c>relay.&lt;space&gt;.&gt;</c>; an
/// envelope goes to <c>relay.&lt;space&gt;.&lt;to host&gt;.&lt;kind&gt;.&lt;from host&gt;</c>),
/// the same envelope tried first live, as a core NATS message on <c>relay-live.&lt;space&gt;.&lt;to host&gt;.&lt;kind&gt;.&lt;from host&gt;</c>
/// acknowledged in batches on <c>relay-ack.&lt;space&gt;.&lt;from host&gt;.a.&lt;to host&gt;</c>,
/// one durable consumer per host (<c>host-&lt;host&gt;</c>, filtered on <c>relay.&lt;space&gt;.&lt;host&gt;.&gt;</c>)
/// and the presence bucket <c>relay-&lt;space&gt;-peers</c> with one key <c>&lt;host&gt;.&lt;name&gt;</c> per peer.
/// Hosts and spaces are single subject tokens: 1–64 characters of <c>[A-Za-z0-9_-]</c>.
/// </summary>
public static class NatsNames
{
    public const string DefaultSpace = "default";

    public const int MaxTokenLength = 64;

    public static bool IsValidToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return false;
        }

        foreach (var c in token)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The machine's host name as a token: its first label, other characters mapped to '-'.</summary>
    public static string DefaultHost()
    {
        var name = Environment.MachineName;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            name = name[..dot];
        }

        var builder = new StringBuilder(Math.Min(name.Length, MaxTokenLength));
        foreach (var c in name)
        {
            if (builder.Length == MaxTokenLength)
            {
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '-');
        }

        return builder.Length == 0 ? "host" : builder.ToString();
    }

    public static string Stream(string space) => "relay-" + space;

    public static string StreamSubjects(string space) => $"relay.{space}.>";

    public static string HostFilter(string space, string host) => $"relay.{space}.{host}.>";

    /// <summary>
    /// The subject of an envelope of <paramref name="kind"/> from <paramref name="fromHost"/> to <paramref name="host"/>:
    /// <c>relay.&lt;space&gt;.&lt;to host&gt;.&lt;kind&gt;.&lt;from host&gt;</c>. The sender is in the subject so that
    /// NATS subject permissions can let each host publish only as itself (<c>relay.&lt;space&gt;.*.*.&lt;host&gt;</c>).
    /// </summary>
    public static string Inbox(string space, string host, string kind, string fromHost) => $"relay.{space}.{host}.{kind}.{fromHost}";

    /// <summary>
    /// The live subject of the same envelope: <c>relay-live.&lt;space&gt;.&lt;to host&gt;.&lt;kind&gt;.&lt;from host&gt;</c>,
    /// outside the stream (core NATS; the target hub acknowledges once it has the envelope, see <see cref="LiveAcks"/>).
    /// The sender is the last token here too, for the same permissions.
    /// </summary>
    public static string Live(string space, string host, string kind, string fromHost) => $"relay-live.{space}.{host}.{kind}.{fromHost}";

    /// <summary>What a hub subscribes to for its live envelopes.</summary>
    public static string LiveFilter(string space, string host) => $"relay-live.{space}.{host}.>";

    /// <summary>
    /// The reply subject a live envelope carries: <c>relay-ack.&lt;space&gt;.&lt;from host&gt;.r.&lt;id&gt;</c>. The
    /// receiving hub reads the envelope's <paramref name="id"/> from it (and acknowledges in batches on
    /// <see cref="LiveAcks"/>); NATS itself answers on it when no hub of the target host listens ("no responders").
    /// </summary>
    public static string LiveReplyTo(string space, string fromHost, string id) => $"relay-ack.{space}.{fromHost}.r.{id}";

    /// <summary>
    /// Where <paramref name="fromHost"/> acknowledges the live envelopes it took from <paramref name="host"/>:
    /// <c>relay-ack.&lt;space&gt;.&lt;host&gt;.a.&lt;from host&gt;</c>, the acknowledging host last, for the same
    /// permissions as the envelopes' subjects.
    /// </summary>
    public static string LiveAcks(string space, string host, string fromHost) => $"relay-ack.{space}.{host}.a.{fromHost}";

    /// <summary>What a hub subscribes to for the acknowledgements of its live envelopes (and NATS's "no responders").</summary>
    public static string LiveAckFilter(string space, string host) => $"relay-ack.{space}.{host}.>";

    /// <summary>
    /// Splits a subject under <see cref="LiveAckFilter"/>: <paramref name="kind"/> is <c>a</c> (acknowledgements from
    /// the host <paramref name="token"/>) or <c>r</c> (a reply subject; <paramref name="token"/> is the envelope's id).
    /// </summary>
    public static bool TrySplitAck(string subject, out char kind, out string token)
    {
        var parts = subject.Split('.');
        var ok = parts.Length == 5 && parts[0] == "relay-ack" && parts[3] is "a" or "r" && IsValidToken(parts[4]);
        kind = ok ? parts[3][0] : '\0';
        token = ok ? parts[4] : "";
        return ok;
    }

    /// <summary>
    /// The sending host of an <see cref="Inbox"/> or <see cref="Live"/> subject (its last token), or null for another
    /// subject.
    /// </summary>
    public static string? SenderOf(string subject)
    {
        var parts = subject.Split('.');
        return parts.Length == 5 && parts[0] is "relay" or "relay-live" ? parts[4] : null;
    }

    public static string Consumer(string host) => "host-" + host;

    public static string Bucket(string space) => $"relay-{space}-peers";

    public static string PresenceKey(string host, string name) => host + "." + name;

    /// <summary>Splits a presence key at its first dot (hosts have none; names may).</summary>
    public static bool TrySplitKey(string key, out string host, out string name)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        host = dot > 0 ? key[..dot] : "";
        name = dot > 0 ? key[(dot + 1)..] : "";
        return dot > 0 && name.Length > 0;
    }
}
