#!/usr/bin/env bash
# Real mail servers for the email connector tests: Dovecot (IMAP + LMTP) from Debian, and
# aiosmtpd from PyPI as the SMTP server, relaying into Dovecot over LMTP (smtp_relay.py).
#   install          Debian's dovecot-core dovecot-imapd dovecot-lmtpd (apt-get, needs root), the
#                    unprivileged mail user `mailtest`, and a venv with aiosmtpd in the cache
#   start <dir>      a private instance (config, passwd-file, maildirs, logs under <dir>) on free
#                    loopback ports; prints IMAP_PORT= (STARTTLS offered), IMAPS_PORT=, SMTP_PORT=
#                    (STARTTLS offered), SMTPS_PORT=, LMTP_PORT=, PASSWD_FILE=, and TLS_CA= (the
#                    self-signed certificate for 127.0.0.1 and localhost both servers use);
#                    users are lines `user@example.test:{PLAIN}secret` in PASSWD_FILE (re-read on
#                    every login, so tests add users and change passwords there)
#   stop <dir>       stop it
# Never touches /etc/dovecot: Dovecot runs on its own config file (`dovecot -c`). Plain logins
# are allowed too (loopback only); mail for addresses that are not in the passwd-file is refused.
set -euo pipefail
AIOSMTPD_VERSION=1.4.6
CACHE="${BREAKWATER_SERVERS_CACHE:-$HOME/.cache/breakwater/servers}"
HOME_DIR="$CACHE/aiosmtpd-$AIOSMTPD_VERSION"
PY="$HOME_DIR/venv/bin/python"
HERE="$(cd "$(dirname "$0")" && pwd)"
MAIL_USER=mailtest

install() {
  if ! command -v dovecot >/dev/null || [ ! -x /usr/lib/dovecot/lmtp ] || [ ! -x /usr/lib/dovecot/imap ]; then
    [ "$(id -u)" = 0 ] || { echo "dovecot: run as root once to apt-get install dovecot-core dovecot-imapd dovecot-lmtpd" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      dovecot-core dovecot-imapd dovecot-lmtpd >/dev/null
  fi
  command -v openssl >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null
  if [ "$(id -u)" = 0 ] && ! id "$MAIL_USER" >/dev/null 2>&1; then
    useradd -r -M -s /usr/sbin/nologin "$MAIL_USER"   # the mail uid must not be root
  fi
  if [ ! -f "$HOME_DIR/.installed" ]; then
    rm -rf "$HOME_DIR/venv"; mkdir -p "$HOME_DIR"
    python3 -m venv "$HOME_DIR/venv"
    "$HOME_DIR/venv/bin/pip" install -q "aiosmtpd==$AIOSMTPD_VERSION"
    touch "$HOME_DIR/.installed"
  fi
  echo "dovecot: installed ($(dovecot --version | cut -d' ' -f1)), aiosmtpd in $HOME_DIR"
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

configure() {
  local dir="$1" imap="$2" lmtp="$3" imaps="$4" owner uid gid users
  if [ "$(id -u)" = 0 ]; then
    owner="$MAIL_USER"; users=""
  else  # a non-root Dovecot runs every process as the current user
    owner="$(id -un)"; users="default_login_user = $owner
default_internal_user = $owner"
  fi
  uid="$(id -u "$owner")"; gid="$(id -g "$owner")"
  mkdir -p "$dir/run" "$dir/state" "$dir/boxes"
  chown "$owner" "$dir/boxes"
  : >"$dir/passwd"
  # Dovecot's auth and mail processes run as other users: they must reach <dir> (so put it
  # in a directory everyone may traverse, like /tmp, not in a 0700 pytest tmp dir).
  chmod 0755 "$dir"; chmod 0644 "$dir/passwd"
  mkdir -p "$dir/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" >/dev/null 2>&1
  cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
instance_name = breakwater-$imap
$users
listen = 127.0.0.1
protocols = imap lmtp
ssl = yes
ssl_cert = <$dir/tls/cert.pem
ssl_key = <$dir/tls/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/boxes/%u
}
mail_location = maildir:$dir/boxes/%u/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
}
# No growing delays after failed logins (tests refuse passwords on purpose, all from 127.0.0.1):
# the documented way to turn Dovecot's auth penalty off.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
protocol lmtp {
  postmaster_address = postmaster@example.test
}
CONF
}

answers() {  # host port: does something accept connections there?
  "$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$1" 2>/dev/null
}

start() {
  local dir; mkdir -p "$1"; dir="$(cd "$1" && pwd)"
  command -v dovecot >/dev/null && [ -f "$HOME_DIR/.installed" ] || { echo "dovecot: not installed; run $0 install" >&2; exit 1; }
  local imap lmtp smtp imaps smtps
  if [ -f "$dir/ports" ]; then read -r imap lmtp smtp imaps smtps <"$dir/ports"
  else
    imap="$(free_port)"; lmtp="$(free_port)"; smtp="$(free_port)"; imaps="$(free_port)"; smtps="$(free_port)"
    echo "$imap $lmtp $smtp $imaps $smtps" >"$dir/ports"
  fi
  [ -f "$dir/dovecot.conf" ] || configure "$dir" "$imap" "$lmtp" "$imaps"
  # Both detach with their output in files: a caller reading our stdout gets its end-of-file.
  dovecot -c "$dir/dovecot.conf" </dev/null >"$dir/start.log" 2>&1 \
    || { echo "dovecot: did not start" >&2; cat "$dir/start.log" >&2; tail -40 "$dir/dovecot.log" >&2 2>/dev/null; exit 1; }
  setsid "$PY" "$HERE/smtp_relay.py" "$smtp" "$smtps" "$lmtp" "$dir/passwd" \
    "$dir/tls/cert.pem" "$dir/tls/key.pem" </dev/null >"$dir/smtp.log" 2>&1 & echo $! >"$dir/smtp.pid"
  local i
  for i in $(seq 1 200); do
    if answers "$imap" && answers "$imaps" && answers "$lmtp" && answers "$smtp" && answers "$smtps"; then
      echo "IMAP_PORT=$imap"; echo "IMAPS_PORT=$imaps"; echo "SMTP_PORT=$smtp"; echo "SMTPS_PORT=$smtps"
      echo "LMTP_PORT=$lmtp"; echo "PASSWD_FILE=$dir/passwd"; echo "TLS_CA=$dir/tls/cert.pem"
      return
    fi
    if ! kill -0 "$(cat "$dir/smtp.pid")" 2>/dev/null; then
      echo "dovecot: the SMTP relay died on start" >&2; tail -40 "$dir/smtp.log" >&2; stop "$dir"; exit 1
    fi
    sleep 0.1
  done
  echo "dovecot: not answering after 20 s" >&2; tail -40 "$dir/dovecot.log" "$dir/smtp.log" >&2 2>/dev/null; stop "$dir"; exit 1
}

stop() {
  local dir="$1"
  if [ -f "$dir/dovecot.conf" ]; then dovecot -c "$dir/dovecot.conf" stop 2>/dev/null || true; fi
  if [ -f "$dir/smtp.pid" ]; then
    local pid; pid="$(cat "$dir/smtp.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/smtp.pid"
  fi
}

case "${1:-}" in
  install) install ;;
  start) [ -n "${2:-}" ] || { echo "usage: $0 start <dir>" >&2; exit 2; }; start "$2" ;;
  stop) [ -n "${2:-}" ] || { echo "usage: $0 stop <dir>" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 install | start <dir> | stop <dir>" >&2; exit 2 ;;
esac
