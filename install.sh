#!/bin/sh
# Installs relay from this checkout:
#   1. builds the native relay binary once (bin/relay --launcher-build: Native AOT into artifacts/launcher/, where the
#      launcher looks; step 3 puts it into the installed plugin too, so the first session starts at once),
#   2. links ~/.local/bin/relay to the launcher (bin/relay), so `relay` runs the same binary the plugin runs,
#   3. when `claude` is on PATH: adds this checkout as the `claude-relay` plugin marketplace, installs
#      relay@claude-relay, and installs the user-level command ~/.claude/commands/relay-rename.md (plain
#      /relay-rename NAME; the plugin's own command is /relay:relay-rename NAME),
#   4. prints the launch line and runs `relay doctor`.
# Running it again changes nothing; `./install.sh --uninstall` undoes it.
#
# Options: --uninstall, --no-user-command (skip ~/.claude/commands/relay-rename.md), --no-plugin (skip the Claude Code
# steps), --bin-dir DIR (where the `relay` link goes; default ~/.local/bin), -h/--help.
set -eu

say() { printf '%s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
}

uninstall=false
user_command=true
plugin=true
home=${HOME:?HOME is not set}
bin_dir=$home/.local/bin
while [ $# -gt 0 ]; do
  case $1 in
    --uninstall) uninstall=true ;;
    --no-user-command) user_command=false ;;
    --no-plugin) plugin=false ;;
    --bin-dir)
      [ $# -ge 2 ] || die "--bin-dir needs a directory"
      bin_dir=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

repo=$(cd "$(dirname "$0")" && pwd -P)
launcher=$repo/bin/relay
link=$bin_dir/relay
marketplace=claude-relay
plugin_id=relay@claude-relay
user_cmd_src=$repo/commands/relay-rename.md
user_cmd_dst=$home/.claude/commands/relay-rename.md
channel_line="claude --dangerously-load-development-channels plugin:$plugin_id"

have_claude() { $plugin && command -v claude >/dev/null 2>&1; }
marketplace_present() { claude plugin marketplace list --json 2>/dev/null | grep -q "\"name\": *\"$marketplace\""; }
plugin_present() { claude plugin list --json 2>/dev/null | grep -q "\"id\": *\"$plugin_id\""; }
# Our link points at this checkout's launcher; anything else at that path belongs to someone else.
link_is_ours() { [ -L "$link" ] && [ "$(readlink "$link")" = "$launcher" ]; }
# The user-level command is ours when it names relay's plugin tool (an older copy of ours counts too).
user_cmd_is_ours() { grep -q 'mcp__plugin_relay_relay__relay_rename' "$user_cmd_dst" 2>/dev/null; }

if $uninstall; then
  if have_claude; then
    step "Claude Code plugin"
    if plugin_present; then
      claude plugin uninstall "$plugin_id"
    else
      say "plugin $plugin_id is not installed"
    fi
    if marketplace_present; then
      claude plugin marketplace remove "$marketplace"
    else
      say "marketplace $marketplace is not configured"
    fi
  fi
  step "user-level command"
  if [ -f "$user_cmd_dst" ] && user_cmd_is_ours; then
    rm -f "$user_cmd_dst"
    say "removed $user_cmd_dst"
  elif [ -e "$user_cmd_dst" ]; then
    warn "left $user_cmd_dst alone: it is not relay's"
  else
    say "no $user_cmd_dst"
  fi
  step "relay on PATH"
  if link_is_ours; then
    rm -f "$link"
    say "removed $link"
  elif [ -e "$link" ] || [ -L "$link" ]; then
    warn "left $link alone: it does not point at $launcher"
  else
    say "no $link"
  fi
  step "built binary"
  # Logs and a running hub's socket stay; the hub exits by itself once idle. Earlier launchers built into the data
  # dirs' bin/ and build/.
  for d in "$repo/artifacts/launcher" "$home/.claude-relay/bin" "$home/.claude-relay/build" \
    "$home/.claude/plugins/data/relay-claude-relay/bin" "$home/.claude/plugins/data/relay-claude-relay/build"; do
    if [ -d "$d" ]; then
      rm -rf "$d"
      say "removed $d"
    fi
  done
  say ""
  say "relay is uninstalled."
  exit 0
fi

step "checking the .NET SDK"
command -v dotnet >/dev/null 2>&1 ||
  die "relay needs the .NET 10 SDK (https://dotnet.microsoft.com/download/dotnet/10.0); 'dotnet' is not on PATH"
dotnet --list-sdks 2>/dev/null | grep -Eq '^(1[0-9]|[2-9][0-9])\.' ||
  die "relay needs the .NET 10 SDK or newer; found: $(dotnet --list-sdks 2>/dev/null | tr '\n' ' ')"
say "$(dotnet --version)"

# Before the plugin install, which copies this folder into Claude Code's plugin cache, binary included.
step "building relay (Native AOT, once; the first build restores packages and takes a few minutes)"
"$launcher" --launcher-build || die "the build failed (see above)"
"$launcher" --launcher-status

step "relay on PATH ($link)"
mkdir -p "$bin_dir"
if link_is_ours; then
  say "already linked"
elif [ -e "$link" ] || [ -L "$link" ]; then
  die "$link exists and is not relay's launcher; remove it or pass --bin-dir DIR"
else
  ln -s "$launcher" "$link"
  say "linked $link -> $launcher"
fi
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) warn "$bin_dir is not on your PATH; add it (e.g. export PATH=\"$bin_dir:\$PATH\" in your shell profile)" ;;
esac

if have_claude; then
  step "Claude Code plugin ($plugin_id)"
  if marketplace_present; then
    say "marketplace $marketplace already configured"
    claude plugin marketplace list --json 2>/dev/null | grep -q "\"path\": *\"$repo\"" ||
      warn "marketplace $marketplace points somewhere else than $repo (see: claude plugin marketplace list)"
  else
    claude plugin marketplace add "$repo"
  fi
  if plugin_present; then
    say "plugin $plugin_id already installed"
  else
    claude plugin install "$plugin_id"
  fi
  # Claude Code's copy of the plugin leaves build outputs behind: give it the binary built above (same sources, so its
  # launcher takes it), and its first session starts at once.
  installed=$(sed -n 's|.*"installPath": *"\([^"]*/claude-relay/relay/[^"]*\)".*|\1|p' \
    "${CLAUDE_CONFIG_DIR:-$home/.claude}/plugins/installed_plugins.json" 2>/dev/null | head -n 1)
  if [ -n "$installed" ] && [ -x "$installed/bin/relay" ]; then
    mkdir -p "$installed/artifacts/launcher"
    cp -P "$repo/artifacts/launcher/relay" "$repo/artifacts/launcher/relay.stamp" "$installed/artifacts/launcher/"
    "$installed/bin/relay" --launcher-status
  fi

  if $user_command; then
    step "user-level command /relay-rename ($user_cmd_dst)"
    if [ -f "$user_cmd_dst" ] && cmp -s "$user_cmd_src" "$user_cmd_dst"; then
      say "already installed"
    elif [ -e "$user_cmd_dst" ] && ! user_cmd_is_ours; then
      warn "left $user_cmd_dst alone: it is not relay's (pass --no-user-command to silence this)"
    else
      mkdir -p "$(dirname "$user_cmd_dst")"
      cp "$user_cmd_src" "$user_cmd_dst"
      say "installed"
    fi
  fi
elif $plugin; then
  step "Claude Code"
  warn "'claude' is not on PATH: skipped the plugin install. Install Claude Code, then run ./install.sh again."
fi

step "relay doctor"
if "$launcher" --help 2>/dev/null | grep -Eq '^ +doctor( |$)'; then
  "$launcher" doctor || warn "relay doctor reported problems (see above); the install itself is complete"
else
  say "(this relay has no doctor command)"
fi

step "done"
say "Start Claude Code as usual: every session can now ask and be asked (plain 'claude', no flag needed;"
say "messages reach it through Claude Code's native inbox, Claude Code 2.1.224 or newer). Try:"
say ""
say "    claude        # then: \"what sessions are active?\" or \"ask <peer> what they are working on\""
say ""
say "Optional: to get peer messages as relay's own <channel> turns instead, start a session with"
say "    $channel_line"
say "Sessions that skip permission prompts (bypass mode) hold messages from other sessions until you approve them,"
say "and a crossSessionInbound setting of \"refuse\" turns them away: 'relay doctor' shows how each session is reached."
