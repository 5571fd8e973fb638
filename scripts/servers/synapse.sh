#!/usr/bin/env bash
# Real Matrix homeserver for the connector tests: Synapse from PyPI (matrix-synapse), SQLite.
#   install          a venv with matrix-synapse into the cache (idempotent)
#   start <dir>      a private instance (config, SQLite, media, log under <dir>) on a free loopback port;
#                    prints SYNAPSE_URL=... and SYNAPSE_SERVER_NAME=..., waits until it answers
#   stop <dir>       stop it
# The instance never talks to other servers: no key servers, no federation, registration open
# (m.login.dummy, for test accounts), rate limits raised so tests are not throttled.
set -euo pipefail
SYNAPSE_VERSION=1.163.2
CACHE="${BREAKWATER_SERVERS_CACHE:-$HOME/.cache/breakwater/servers}"
HOME_DIR="$CACHE/synapse-$SYNAPSE_VERSION"
PY="$HOME_DIR/venv/bin/python"
SERVER_NAME=localhost

install() {
  if [ -f "$HOME_DIR/.installed" ]; then echo "synapse: already installed in $HOME_DIR"; return; fi
  rm -rf "$HOME_DIR/venv"; mkdir -p "$HOME_DIR"
  python3 -m venv "$HOME_DIR/venv"
  "$HOME_DIR/venv/bin/pip" install -q "matrix-synapse==$SYNAPSE_VERSION"
  touch "$HOME_DIR/.installed"
  echo "synapse: installed in $HOME_DIR"
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

configure() {
  local dir="$1" port="$2"
  (cd "$dir" && "$PY" -m synapse.app.homeserver --server-name "$SERVER_NAME" --config-path homeserver.yaml \
     --data-directory "$dir" --generate-config --report-stats=no >/dev/null)
  # Our edits replace the generated listeners and add the rest (later keys win in YAML for Synapse's loader,
  # but we rewrite the file whole to keep it unambiguous).
  "$PY" - "$dir/homeserver.yaml" "$port" <<'PYEOF'
import sys, yaml
path, port = sys.argv[1], int(sys.argv[2])
config = yaml.safe_load(open(path))
fast = {"per_second": 1000, "burst_count": 1000}
config.update({
    "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                   "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]}],
    "trusted_key_servers": [], "suppress_key_server_warning": True,
    "enable_registration": True, "enable_registration_without_verification": True,
    "federation_domain_whitelist": [], "report_stats": False,
    "rc_message": fast, "rc_registration": fast,
    "rc_login": {"address": fast, "account": fast, "failed_attempts": fast},
    "rc_joins": {"local": fast, "remote": fast}, "rc_invites": {"per_room": fast, "per_user": fast},
    "rc_3pid_validation": fast,
})
yaml.safe_dump(config, open(path, "w"))
PYEOF
  # Logs to a file in the instance dir, not to the generated log config's default location.
  sed -i "s|filename: .*|filename: $dir/homeserver.log|" "$dir/$SERVER_NAME.log.config"
}

start() {
  local dir; mkdir -p "$1"; dir="$(cd "$1" && pwd)"
  [ -f "$HOME_DIR/.installed" ] || { echo "synapse: not installed; run $0 install" >&2; exit 1; }
  local port
  if [ -f "$dir/port" ]; then port="$(cat "$dir/port")"; else port="$(free_port)"; echo "$port" >"$dir/port"; fi
  [ -f "$dir/homeserver.yaml" ] || configure "$dir" "$port"
  # setsid execs Synapse in the background subshell: the pid file holds Synapse's own pid,
  # and no descriptor of ours stays open in it (a caller reading our output sees its end).
  (cd "$dir" && exec setsid "$PY" -m synapse.app.homeserver --config-path homeserver.yaml) \
    </dev/null >"$dir/stdout.log" 2>&1 &
  echo $! >"$dir/pid"
  local url="http://127.0.0.1:$port" i
  for i in $(seq 1 600); do
    if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_matrix/client/versions", timeout=1)' "$url" 2>/dev/null; then
      echo "SYNAPSE_URL=$url"; echo "SYNAPSE_SERVER_NAME=$SERVER_NAME"; return
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "synapse: died on start" >&2; tail -40 "$dir/stdout.log" "$dir/homeserver.log" >&2 2>/dev/null; exit 1
    fi
    sleep 0.1
  done
  echo "synapse: not answering after 60 s" >&2; tail -40 "$dir/homeserver.log" >&2 2>/dev/null; stop "$dir"; exit 1
}

stop() {
  local dir="$1"
  [ -f "$dir/pid" ] || return 0
  local pid; pid="$(cat "$dir/pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: $0 start <dir>}" ;;
  stop) stop "${2:?usage: $0 stop <dir>}" ;;
  *) echo "usage: $0 install|start <dir>|stop <dir>" >&2; exit 2 ;;
esac
