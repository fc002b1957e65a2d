using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Relay.Channels;

/// <summary>The tool list with hand-written JSON schemas (no reflection, so Native AOT stays warning-free).</summary>
internal static class ToolCatalog
{
    private static ListToolsResult? s_result;

    public static ListToolsResult Result => s_result ??= new ListToolsResult { Tools = Build() };

    private static List<Tool> Build() =>
    [
        Define(
            ToolNames.Peers,
            "List the other sessions connected to relay on this machine (Claude Code sessions, terminals, scripts): " +
            "name, host (when hubs are joined across machines), cwd, git_branch, last_seen; away_until and held_asks for a " +
            "session whose relay channel left and may come back (restarting or resumed; asks to it wait until then). Returns {ok, me, peers}. " +
            "Use it to pick the target of relay_ask.",
            """{"type":"object","properties":{}}"""),
        Define(
            ToolNames.Ask,
            "Ask one peer a question. Returns {ok, ask_id, thread_id} at once; the answer arrives later as a " +
            "<channel> message with the same ask_id (type=reply), or an error (type=error: timeout, peer_gone). " +
            "Do not wait or poll for it. Fails at once with peer_not_found when no peer has that name.",
            """
            {"type":"object","properties":{
              "to":{"type":"string","description":"The peer's name, exactly as relay_peers lists it (name@host for a peer of another host)."},
              "question":{"type":"string","description":"The question, self-contained: the peer cannot see this conversation. At most 512 KiB."},
              "thread_id":{"type":"string","description":"Optional: the thread_id of an earlier ask or reply, to continue that conversation."}
            },"required":["to","question"]}
            """),
        Define(
            ToolNames.Reply,
            "Answer an incoming ask (a <channel> message with type=ask) by its ask_id. Returns {ok, ask_id}.",
            """
            {"type":"object","properties":{
              "ask_id":{"type":"string","description":"The ask_id of the incoming ask."},
              "text":{"type":"string","description":"The answer. At most 512 KiB."}
            },"required":["ask_id","text"]}
            """),
        Define(
            ToolNames.Broadcast,
            "Ask every other peer the same question. Returns {ok, broadcast_id, peer_count, peers} at once; each " +
            "answer arrives later as its own <channel> message carrying the broadcast_id. Only when the user asks for everyone.",
            """
            {"type":"object","properties":{
              "question":{"type":"string","description":"The question, self-contained. At most 512 KiB."},
              "thread_id":{"type":"string","description":"Optional: continue an earlier thread."}
            },"required":["question"]}
            """),
        Define(
            ToolNames.Rename,
            "Rename this session on relay. Returns {ok, name}; fails with name_taken when another peer has the name.",
            """
            {"type":"object","properties":{
              "new_name":{"type":"string","description":"1 to 64 characters: letters, digits, '.', '_' or '-'."}
            },"required":["new_name"]}
            """),
        Inbox(),
    ];

    private static Tool Inbox() => Define(
        ToolNames.Inbox,
        "Fetch the relay messages waiting for this session (asks for you, replies to your asks, errors) and mark them " +
        "read. Returns {ok, delivery, messages:[{type, from, ask_id, thread_id, text, …}]}. Only needed when " +
        "delivery is \"pull\" (messages are not pushed into this session); answer each type=ask with relay_reply.",
        """{"type":"object","properties":{}}""");

    private static Tool Define(string name, string description, string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return new Tool
        {
            Name = name,
            Description = description,
            InputSchema = document.RootElement.Clone(),
        };
    }
}
