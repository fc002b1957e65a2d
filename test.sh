#!/usr/bin/env bash
# relay's whole check, as CI runs it (.ci/run): on a Debian machine with the .NET 10 SDK and node/npm it installs
# what the tests need by itself (the pinned Claude Code CLIs into tools/claude-code and tools/claude-code-legacy,
# Debian's nats-server and openssl for the cross-host tests),
# then checks formatting, publishes the Native AOT binary warning-free, packs and runs the .NET tool, smoke-runs the
# benchmark, and runs the test suite against the AOT binary and the real Claude Code CLIs. The last line is the
# summary: "N passed, N failed".
#
# Options: --no-claude (do not install Claude Code; its tests skip), --filter EXPR (passed to dotnet test).
set -euo pipefail

cd "$(dirname "$0")"
repo=$PWD
start=$SECONDS
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

install_claude=true
filter=
while [ $# -gt 0 ]; do
  case $1 in
    --no-claude) install_claude=false ;;
    --filter)
      filter=$2
      shift
      ;;
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "unknown option $1" >&2
      exit 2
      ;;
  esac
  shift
done

section() { printf '\n=== [%4ds] %s\n' "$((SECONDS - start))" "$*"; }
fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  exit 1
}

artifacts=$repo/artifacts
mkdir -p "$artifacts"

# --- Claude Code CLIs (pinned in tools/claude-code*/package-lock.json) -----------------------------------------
# tools/claude-code pins the current release every Claude Code test runs on; tools/claude-code-legacy pins the oldest
# supported release for a smaller smoke. Without its postinstall step the package's .bin/claude is a placeholder (or
# absent): the platform package holds the real binary, so that is what runs.
claude_binary() { # DIR -> path of the runnable claude binary, or nothing
  local dir=$1 candidate
  for candidate in "$dir"/node_modules/@anthropic-ai/claude-code-linux-*/claude "$dir/node_modules/.bin/claude"; do
    if [ -f "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
}
install_claude_tool() { # DIR -> prints the runnable binary's path, or nothing when npm cannot reach the registry
  local dir=$1 stamp_file lock_hash
  stamp_file=$dir/node_modules/.relay-lock-hash
  lock_hash=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -n "$(claude_binary "$dir")" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$lock_hash" ]; then
    echo "already installed" >&2
  elif (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2); then
    echo "$lock_hash" >"$stamp_file"
  elif (cd "$dir" && timeout 30 npm ping --loglevel=error >/dev/null 2>&1); then
    fail "npm ci failed in $dir although the npm registry is reachable"
  else
    echo "!!! the npm registry is unreachable: the Claude Code tests that need $dir will be SKIPPED !!!" >&2
    return
  fi
  [ -n "$(claude_binary "$dir")" ] || fail "the Claude Code CLI installed in $dir does not run"
  claude_binary "$dir"
}

section "Claude Code CLIs (npm ci in tools/claude-code and tools/claude-code-legacy)"
claude_bin=
claude_legacy_bin=
if ! $install_claude; then
  claude_bin=none
  claude_legacy_bin=none
  echo "skipped (--no-claude): the Claude Code tests will be skipped"
elif ! command -v npm >/dev/null 2>&1; then
  echo "!!! npm is not installed: the Claude Code tests will be SKIPPED. Install node/npm to run them. !!!"
else
  claude_bin=$(install_claude_tool "$repo/tools/claude-code")
  claude_legacy_bin=$(install_claude_tool "$repo/tools/claude-code-legacy")
  [ -n "$claude_bin" ] && echo "claude: $claude_bin ($("$claude_bin" --version))"
  [ -n "$claude_legacy_bin" ] && echo "legacy claude: $claude_legacy_bin ($("$claude_legacy_bin" --version))"
fi

# --- nats-server (Debian's package) for the cross-host tests ----------------------------------------------------
section "nats-server (apt: nats-server)"
if command -v nats-server >/dev/null 2>&1; then
  echo "already installed: $(nats-server --version)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # Quietly, and only when missing; an update first, since a fresh machine may have no package lists.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null 2>&1 ||
      echo "!!! apt-get could not install nats-server: the cross-host NATS tests will be SKIPPED !!!"
  fi
  command -v nats-server >/dev/null 2>&1 && echo "installed: $(nats-server --version)"
else
  echo "!!! nats-server is missing and cannot be installed here (needs root and apt-get): the cross-host NATS tests will be SKIPPED !!!"
fi
# openssl makes the throwaway CA of the NATS TLS test (as docs/across-machines.md's worked example does).
if command -v openssl >/dev/null 2>&1; then
  echo "openssl: $(openssl version)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null 2>&1; then
  echo "installed: $(openssl version)"
else
  echo "!!! openssl is missing and could not be installed: the NATS TLS test will be SKIPPED !!!"
fi

# --- format --------------------------------------------------------------------------------------------------------
section "dotnet format --verify-no-changes"
dotnet format relay.slnx --verify-no-changes || fail "formatting differs: run 'dotnet format relay.slnx'"

# --- Native AOT publish ------------------------------------------------------------------------------------------
section "Native AOT publish (artifacts/publish/relay, zero warnings)"
publish_log=$artifacts/publish.log
if ! dotnet publish src/Relay.Cli -c Release -r linux-x64 -o "$artifacts/publish" -warnaserror 2>&1 | tee "$publish_log"; then
  fail "Native AOT publish failed"
fi
if grep -Eq '(^|[^a-zA-Z])warning [A-Z]+[0-9]+' "$publish_log"; then
  fail "the Native AOT publish printed warnings (see above)"
fi
relay_bin=$artifacts/publish/relay
"$relay_bin" --version || fail "the published binary does not run"
ls -l "$relay_bin"

# --- .NET tool package -------------------------------------------------------------------------------------------
section "dotnet pack + dotnet tool exec from the local feed"
rm -rf "$artifacts/package/tool" "$artifacts/tool-exec"
dotnet pack src/Relay.Cli -c Release -o "$artifacts/package/tool" --nologo -v:q -warnaserror || fail "dotnet pack failed"
ls "$artifacts/package/tool"
# A private packages folder, so a rebuilt package with the same version is really the one that runs.
tool_help=$(cd "$artifacts" && NUGET_PACKAGES=$artifacts/tool-exec dotnet tool exec ClaudeRelay --yes --source "$artifacts/package/tool" -- --help) ||
  fail "the packed tool did not run ('relay --help' through dotnet tool exec)"
grep -q 'mcp' <<<"$tool_help" || fail "'relay --help' through dotnet tool exec printed no command list"
echo "ClaudeRelay runs through dotnet tool exec"

# --- launcher --------------------------------------------------------------------------------------------------------
# In a copy of the plugin's sources, as a marketplace install has them: without a binary, `relay mcp` must answer
# Claude Code's initialize well within its 30 s start budget (the launcher's placeholder; RELAY_LAUNCHER_NO_BUILD
# keeps this run at one Native AOT publish); with the binary install.sh would build (the one published above, stamped
# as the launcher stamps it) the launcher execs it, stdout clean. Five starts each, median in ms.
section "launcher: first mcp start without a binary, then with it (median of 5)"
launcher_copy=$(mktemp -d)
tar -c --exclude='./src/*/bin' --exclude='./src/*/obj' bin src Directory.Build.props Directory.Packages.props global.json |
  tar -x -C "$launcher_copy"
starts=()
mcp_start() { # appends the ms until `relay mcp` answered initialize to starts; fails past 30 s
  local t0 answer
  t0=$(date +%s%N)
  coproc MCP { CLAUDE_PLUGIN_DATA=$launcher_copy/data RELAY_HUB_IDLE_EXIT_MS=500 RELAY_LAUNCHER_NO_BUILD=1 "$launcher_copy/bin/relay" mcp 2>/dev/null; }
  printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test.sh","version":"1"}}}' >&"${MCP[1]}"
  IFS= read -r -t 30 answer <&"${MCP[0]}" || fail "relay mcp through the launcher did not answer initialize within 30 s"
  starts+=($((($(date +%s%N) - t0) / 1000000)))
  grep -q '"serverInfo":{"name":"relay"' <<<"$answer" || fail "relay mcp answered initialize with: $answer"
  exec {MCP[1]}>&-
  wait "$MCP_PID" 2>/dev/null || true
}
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
for _ in 1 2 3 4 5; do mcp_start; done
echo "without a binary (placeholder): ${starts[*]} ms; median $(median "${starts[@]}") ms"
mkdir -p "$launcher_copy/artifacts/launcher"
cp "$relay_bin" "$launcher_copy/artifacts/launcher/relay"
"$launcher_copy/bin/relay" --launcher-stamp >"$launcher_copy/artifacts/launcher/relay.stamp"
"$launcher_copy/bin/relay" --launcher-status | grep -q '^current ' || fail "the launcher does not take the stamped binary: $("$launcher_copy/bin/relay" --launcher-status)"
launcher_out=$(RELAY_LAUNCHER_NO_BUILD=1 "$launcher_copy/bin/relay" --version </dev/null) || fail "the launcher did not run the binary"
[ "$launcher_out" = "$("$relay_bin" --version)" ] || fail "launcher stdout was '$launcher_out', expected only the version"
starts=()
for _ in 1 2 3 4 5; do mcp_start; done
echo "with the binary: ${starts[*]} ms; median $(median "${starts[@]}") ms; stdout clean"
# A hub the channels started leaves 500 ms after its last peer.
for _ in $(seq 50); do [ -e "$launcher_copy/data/hub.sock" ] || break; sleep 0.2; done
rm -rf "$launcher_copy"

# --- benchmark smoke run ---------------------------------------------------------------------------------------------
section "benchmark smoke run"
RELAY_BIN=$relay_bin dotnet run -c Release --project bench/Relay.Bench -- --smoke || fail "benchmark smoke run failed"

# --- soak smoke run ------------------------------------------------------------------------------------------------
# 100 peers asking, replying and broadcasting for 60 s against the AOT hub; fails on a lost or duplicated ask, fd growth,
# a logged hub error or RSS growth (the 10-minute run is `--soak 10m`, local only).
section "soak smoke run (100 peers, 60 s)"
dotnet run -c Release --project bench/Relay.Bench -- --relay "$relay_bin" --soak 60s || fail "soak smoke run failed"

# --- tests -----------------------------------------------------------------------------------------------------------
section "dotnet test (RELAY_BIN=artifacts/publish/relay${claude_bin:+, CLAUDE_BIN=$claude_bin}${claude_legacy_bin:+, CLAUDE_LEGACY_BIN=$claude_legacy_bin})"
results=$artifacts/test-results
rm -rf "$results"
# One trx per test project (a fixed LogFileName would let the second project overwrite the first's).
test_args=(relay.slnx --logger "trx;LogFilePrefix=relay" --logger "console;verbosity=normal" --results-directory "$results")
if [ -n "$filter" ]; then test_args+=(--filter "$filter"); fi
test_rc=0
RELAY_BIN=$relay_bin CLAUDE_BIN=$claude_bin CLAUDE_LEGACY_BIN=$claude_legacy_bin dotnet test "${test_args[@]}" || test_rc=$?

section "summary"
mapfile -t trx < <(find "$results" -name '*.trx' 2>/dev/null)
if [ "${#trx[@]}" -eq 0 ]; then
  echo "no test results (dotnet test exited $test_rc before writing $results/relay*.trx)"
  echo "0 passed, 1 failed"
  exit 1
fi
# Summed over every project's trx.
counter() { grep -ho "<Counters [^>]*" "${trx[@]}" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' | awk '{ n += $1 } END { print n + 0 }'; }
total=$(counter total)
passed=$(counter passed)
failed=$(($(counter failed) + $(counter error) + $(counter timeout) + $(counter aborted)))
skipped=$((total - $(counter executed)))
if [ "$skipped" -gt 0 ]; then echo "($skipped skipped: see the SKIPPED reasons above)"; fi
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "total time $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
