"""`breakwater bench`: benchmarks that print ratios beside absolute figures.

* ``ingest``: the whole ingest path (JSON Lines -> ``ingest_items`` in batches of 1000)
  beside plain ``executemany`` INSERTs of the same message rows into the same schema.
* ``inbox``: inbox list / conversation open latency (API and HTML pages, over real HTTP)
  on a database seeded with a million messages.
* ``reports``: every report metric over a million messages (SQLite, or PostgreSQL with
  ``DATABASE_URL``), beside a plain COUNT of the same rows.
* ``search``: inbox full-text search (FTS5, lemmas) over a million messages, beside the
  ``icontains`` filter it replaced.
* ``listening``: 10,000 listening topics matched against a million pre-analysed posts, beside
  a naive alternation regex and the bare prefilter pass (the ceiling).

A benchmark never touches the user's database: ``run_bench`` runs it in a child process
whose ``BREAKWATER_DATA_DIR`` is a fresh temporary directory (``DATABASE_URL`` and
``REDIS_URL`` unset), so the child's Django is configured against that directory alone;
the directory is removed afterwards (kept when ``BREAKWATER_BENCH_KEEP=1``).
"""

from __future__ import annotations

import argparse

from breakwater.bench import env


def run_bench(args: argparse.Namespace) -> int:
    """Entry point of ``breakwater bench``; returns the exit code (0: ran, targets or not)."""
    if args.which == "reports":
        from breakwater.bench.reports import entry

        return entry(args)
    if not env.inside():
        return env.run_isolated(args)
    if args.which == "ingest":
        from breakwater.bench.ingest import run

        return run(args)
    if args.which == "inbox":
        from breakwater.bench.inbox import run

        return run(args)
    if args.which == "search":
        from breakwater.bench.search import run

        return run(args)
    if args.which == "analysis":
        from breakwater.bench.analysis import run

        return run(args)
    if args.which == "listening":
        from breakwater.bench.listening import run

        return run(args)
    raise ValueError(
        f"unknown benchmark {args.which!r}; one of ingest, inbox, search, analysis, reports, listening"
    )
