#!/usr/bin/env bash
# Prepare a virtualenv with Breakwater and its pinned dependencies. Idempotent and quick when
# nothing changed. Usage: scripts/setup.sh [--test]   (--test also prepares what the tests need)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${BREAKWATER_VENV:-.venv}
PYTHON=${PYTHON:-python3}

die() { echo "setup: $*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null || die "no $PYTHON found: install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 or newer is needed; $PYTHON is $("$PYTHON" --version 2>&1)"

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating virtualenv in $VENV"
  "$PYTHON" -m venv "$VENV" 2>/dev/null || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
      "$PYTHON" -m venv "$VENV"
    else
      die "could not create a virtualenv: install python3-venv (Debian: sudo apt-get install python3-venv)"
    fi
  }
fi

# The e5 sentiment model (a 91 MB wheel) is optional: the tests exercise it, and a workspace
# that chose it (BREAKWATER_SENTIMENT_MODEL=e5) needs it; the default install does without.
extras=()
if [ "${1:-}" = "--test" ] || [ "${BREAKWATER_SENTIMENT_MODEL:-}" = "e5" ]; then
  extras=(-r requirements/e5.txt)
fi

# Reinstall only when the lock, the extras or the project metadata changed.
stamp="$VENV/.breakwater-installed"
want=$(cat requirements/lock.txt pyproject.toml | sha256sum | cut -d' ' -f1)${extras:+-e5}
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing pinned dependencies"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements/lock.txt "${extras[@]}"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi
"$VENV/bin/breakwater" compilemessages >/dev/null

# Finnish lemmas for search come from Voikko (Debian's libvoikko1 + the voikko-fi dictionary,
# used through the libvoikko wheel); without it analysis/lemmas.py falls back to simplemma.
voikko_ok() { "$VENV/bin/python" -c 'import libvoikko; libvoikko.Voikko("fi")' >/dev/null 2>&1; }
if ! voikko_ok; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Voikko for Finnish search (apt-get install voikko-fi libvoikko1)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq voikko-fi libvoikko1 >/dev/null || true
  fi
  voikko_ok || echo "setup: Voikko is not installed, so Finnish search uses simplemma (less precise)." \
    "Install it with: sudo apt-get install voikko-fi libvoikko1" >&2
fi

# The reports' PDF (web/reports_pdf.py) is laid out by WeasyPrint, which needs Pango and a font.
pango_ok() { "$VENV/bin/python" -c 'import weasyprint' >/dev/null 2>&1; }
if ! pango_ok; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Pango for PDF reports (apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null || true
  fi
  pango_ok || echo "setup: Pango is missing, so PDF reports cannot be made." \
    "Install it with: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2
fi

if [ "${1:-}" = "--test" ]; then
  # The browser tests drive Debian's Chromium through Playwright (Playwright's own browser
  # download is not used, so nothing is fetched from outside the package registries).
  CHROMIUM=${BREAKWATER_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
  if [ -z "$CHROMIUM" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "setup: installing Chromium for the browser tests (apt-get install chromium)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      die "the browser tests need Chromium: sudo apt-get install chromium (or set BREAKWATER_CHROMIUM=/path/to/chromium)"
    fi
  fi
fi

if [ "${1:-}" = "--test" ]; then
  # The connector suites run against real servers of their protocols (scripts/servers/).
  for server in scripts/servers/*.sh; do
    [ -e "$server" ] || continue
    bash "$server" install || die "could not install the test server $(basename "$server" .sh)"
  done
fi
