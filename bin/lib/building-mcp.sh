#!/bin/sh
# relay's MCP server while its binary is being built (bin/relay runs this when `relay mcp` finds no current binary).
# Claude Code gives an MCP server 30 s to start and a build takes minutes, so this answers at once, and honestly: its
# one tool, relay_status, says whether the build is still running, failed (and why) or is done, in which case
# /mcp -> Reconnect (or a new session) runs the real relay. JSON-RPC lines on stdio; stdout carries nothing else.
# Usage: building-mcp.sh LAUNCHER (the launcher answers `--launcher-status`).
set -u
launcher=$1

# JSON-RPC fields of one line. Claude Code writes compact JSON; the request id comes last, after the params.
id_of() {
  id=$(printf '%s' "$1" | sed -n 's/.*"id" *: *\("[^"\\]*"\).*/\1/p')
  [ -n "$id" ] || id=$(printf '%s' "$1" | sed -n 's/.*"id" *: *\(-\{0,1\}[0-9][0-9]*\).*/\1/p')
  printf '%s' "$id"
}
string_of() { printf '%s' "$2" | sed -n "s/.*\"$1\" *: *\"\\([^\"\\\\]*\\)\".*/\\1/p"; }
json_text() { printf '%s' "$1" | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g'; }
reply() { printf '{"jsonrpc":"2.0","id":%s,"result":%s}\n' "$1" "$2"; }

status_result() {
  line=$(sh "$launcher" --launcher-status 2>/dev/null) || line="failed the launcher $launcher did not answer"
  state=${line%% *}
  details=${line#* }
  retry="then reconnect relay (/mcp, pick plugin:relay:relay, Reconnect) or start a new session"
  case $state in
    current) error=false text="relay is built ($details): $retry to get its tools (relay_ask, relay_reply, relay_peers and the rest)." ;;
    building) error=false text="relay is still being built: the first session after an install or update builds its native binary, which takes a few minutes. Its tools (relay_ask, relay_reply, relay_peers and the rest) come once it is done: $retry. Build: $details." ;;
    *) error=true text="relay is not available: $details. Build it in a terminal with: $launcher --launcher-build; $retry." ;;
  esac
  printf '{"content":[{"type":"text","text":"%s"}],"isError":%s}' "$(json_text "$text")" "$error"
}

instructions='relay (messaging between Claude Code sessions) is being built on this machine, so its tools are not in this session yet. Call relay_status to see how the build is going.'
tool='{"name":"relay_status","description":"While relay is being built: says whether the build is still running, failed (and why), or is done and relay can be reconnected.","inputSchema":{"type":"object","properties":{}}}'

while IFS= read -r message || [ -n "$message" ]; do
  method=$(string_of method "$message")
  id=$(id_of "$message")
  [ -n "$method" ] && [ -n "$id" ] || continue # notifications and responses need no answer
  case $method in
    initialize)
      version=$(string_of protocolVersion "$message")
      reply "$id" "{\"protocolVersion\":\"${version:-2025-06-18}\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"relay\",\"version\":\"building\"},\"instructions\":\"$instructions\"}" ;;
    ping) reply "$id" '{}' ;;
    tools/list) reply "$id" "{\"tools\":[$tool]}" ;;
    tools/call)
      if [ "$(string_of name "$message")" = relay_status ]; then
        reply "$id" "$(status_result)"
      else
        reply "$id" "{\"content\":[{\"type\":\"text\",\"text\":\"relay is being built and has only relay_status for now\"}],\"isError\":true}"
      fi ;;
    *) printf '{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"Method not found: %s"}}\n' "$id" "$(json_text "$method")" ;;
  esac
done
