#!/usr/bin/env bash
# Run the whole test suite: once on SQLite, once on PostgreSQL, with real Redis.
# PostgreSQL and Redis must answer; the run fails (it never silently skips) when they don't.
#   BREAKWATER_TEST_POSTGRES_URL  default postgres://postgres@127.0.0.1:5432/breakwater
#   REDIS_URL                     default redis://127.0.0.1:6379/0
#   PYTEST_ARGS                   extra pytest arguments, e.g. "-k ingest"
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

VENV=${BREAKWATER_VENV:-.venv}
PG_URL=${BREAKWATER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/breakwater}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export BREAKWATER_DATA_DIR=${BREAKWATER_TEST_DATA_DIR:-$(mktemp -d)}

"$VENV/bin/python" - "$PG_URL" "$REDIS_URL" <<'PY'
import sys
import psycopg, redis
pg, rd = sys.argv[1], sys.argv[2]
try:
    psycopg.connect(pg.rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
except Exception as exc:
    sys.exit(f"test: PostgreSQL does not answer at {pg}: {exc}\n"
             "Start it, or point BREAKWATER_TEST_POSTGRES_URL at one (the suite runs on both databases).")
try:
    redis.Redis.from_url(rd, socket_connect_timeout=5).ping()
except Exception as exc:
    sys.exit(f"test: Redis does not answer at {rd}: {exc}\nStart it, or point REDIS_URL at one.")
PY

# Two cores here: two pytest workers. Browser tests run on one worker group.
JOBS=${BREAKWATER_TEST_JOBS:-2}
run() {
  local label=$1; shift
  echo "=== $label"
  "$VENV/bin/python" -m pytest -n "$JOBS" --dist loadgroup -q ${PYTEST_ARGS:-} "$@"
}
status=0
(unset DATABASE_URL; run "SQLite") || status=1
# The benchmark smoke tests run their own SQLite child whatever DATABASE_URL says: once is enough.
DATABASE_URL=$PG_URL run "PostgreSQL" --ignore=tests/bench || status=1
exit $status
