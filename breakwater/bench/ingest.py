"""`breakwater bench ingest`: the whole ingest path against the raw batch-insert ceiling.

1. Demo items (``generate_items``) become JSON Lines, cut into bodies of 1000 lines.
2. Timed: each body goes through ``parse_body`` + ``ingest_in_chunks``, exactly what
   ``breakwater ingest`` does (parse JSON, validate, dedupe, identities, threading, inline
   analysis, store messages, conversation aggregates), into a freshly migrated SQLite
   database. The analysis models are loaded before the clock starts, as a running process
   loads them once at start.
3. Timed: the message rows that step 2 stored are inserted again with plain ``executemany``,
   1000 rows per transaction, into a second fresh database of the same schema, opened with
   the same PRAGMAs (rows they reference, such as conversations, are copied there untimed).
   The best of three runs counts (each into its own fresh copy): the ceiling is the fastest
   the database managed, so a noisy neighbour can only make the ratio look worse.
4. The ratio of the two rates; the target is >= 0.25.

``BREAKWATER_BENCH_PROFILE=path`` profiles step 2 with cProfile (stats saved to ``path``,
the top entries printed); the rate is then slower than without the profiler.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from breakwater.bench.common import (
    emit_json,
    machine_facts,
    migrate_fresh,
    print_machine,
    print_table,
    sqlite_connect,
)

DEFAULT_ITEMS = 100_000
SEED = 20251125
TARGET_RATIO = 0.25
BASELINE_RUNS = 3
# Rows the message rows point at: copied into the baseline database before it is timed.
REFERENCED_TABLES = ("inbox_contact", "inbox_identity", "inbox_conversation")
MESSAGE_TABLE = "inbox_message"


def _setup_workspace() -> tuple[int, list[int]]:
    """A workspace with three demo channels, made through the actions like the demo does."""
    from breakwater.core.actions import do_create_channel, do_create_user
    from breakwater.core.models import Role

    member = do_create_user("bench@breakwater.invalid", os.urandom(12).hex(), "bench", Role.OWNER)
    channels = [
        do_create_channel(member, "demo", name, {"handle": "aaltokahvi"})
        for name in ("Facebook page (bench)", "Instagram (bench)", "Google reviews (bench)")
    ]
    return member.workspace_id, [c.pk for c in channels]


def _bodies(channel_ids: list[int], count: int, batch: int) -> list[bytes]:
    """JSON Lines bodies of ``batch`` items each, as `breakwater ingest` would read them."""
    from breakwater.connectors.demo.simulator import generate_items

    end = datetime(2026, 11, 1, tzinfo=UTC)
    items = generate_items(channel_ids, count, seed=SEED, start=end - timedelta(days=60), end=end)
    bodies, lines = [], []
    for item in items:
        lines.append(json.dumps(item, ensure_ascii=False))
        if len(lines) == batch:
            bodies.append("\n".join(lines).encode())
            lines = []
    if lines:
        bodies.append("\n".join(lines).encode())
    return bodies


def _ingest(workspace_id: int, bodies: list[bytes]) -> dict[str, Any]:
    from breakwater.ingest.batch import ingest_in_chunks, parse_body
    from breakwater.ingest.pipeline import IngestResult

    total = IngestResult()
    profile_path = os.environ.get("BREAKWATER_BENCH_PROFILE")
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for body in bodies:
        items, parse_errors = parse_body(body)
        total.merge(ingest_in_chunks(workspace_id, items, parse_errors), offset=total.received)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler and profile_path:
        import pstats

        profiler.dump_stats(profile_path)
        print(f"profile saved to {profile_path} (rates below include profiler overhead)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return {
        "received": total.received,
        "created": total.created,
        "duplicates": total.duplicates,
        "errors": len(total.errors),
        "first_error": total.errors[0].error if total.errors else None,
        "seconds": wall,
        "cpu_seconds": cpu,
    }


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _prepare_baseline(source: Path, target: Path) -> tuple[str, list[tuple[Any, ...]]]:
    """Fill the baseline database with what the messages reference; return the message rows."""
    conn = sqlite_connect(target)
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    conn.execute("BEGIN IMMEDIATE")
    for table in REFERENCED_TABLES:
        conn.execute(f'INSERT INTO main."{table}" SELECT * FROM src."{table}"')  # noqa: S608
    conn.execute("COMMIT")
    columns = [c for c in _columns(conn, MESSAGE_TABLE) if c != "id"]
    names = ", ".join(f'"{c}"' for c in columns)
    rows = conn.execute(f'SELECT {names} FROM src."{MESSAGE_TABLE}" ORDER BY id').fetchall()  # noqa: S608
    conn.execute("DETACH DATABASE src")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{MESSAGE_TABLE}" ({names}) VALUES ({marks})', rows  # noqa: S608


def _baseline(target: Path, insert: str, rows: list[tuple[Any, ...]], batch: int) -> dict[str, Any]:
    """Plain executemany of the same rows, ``batch`` rows per transaction."""
    conn = sqlite_connect(target)
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(rows), batch):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(insert, rows[start : start + batch])
        conn.execute("COMMIT")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stored = conn.execute(f'SELECT count(*) FROM "{MESSAGE_TABLE}"').fetchone()[0]  # noqa: S608
    conn.close()
    return {"rows": len(rows), "stored": stored, "seconds": wall, "cpu_seconds": cpu}


def _snapshot(source: Path, target: Path) -> None:
    """A consistent copy of a database (its schema and the few setup rows), via the backup API."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.db import connection

    from breakwater.analysis import warm_up
    from breakwater.ingest.batch import TRANSACTION_SIZE

    count = args.items if args.items is not None else DEFAULT_ITEMS
    if count < 1:
        raise SystemExit("--items must be at least 1")
    batch = TRANSACTION_SIZE
    facts = machine_facts()
    print(f"breakwater bench ingest: {count:,} demo items, {batch} items per transaction")
    print_machine(facts)

    t0 = time.perf_counter()
    db = migrate_fresh()
    workspace_id, channel_ids = _setup_workspace()
    connection.close()
    baseline_db = Path(settings.DATA_DIR) / "baseline.sqlite3"
    _snapshot(db, baseline_db)
    bodies = _bodies(channel_ids, count, batch)
    print(f"setup: fresh databases, {len(bodies)} bodies of JSON Lines "
          f"({sum(map(len, bodies)) / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    # A running worker or web process loads these once at start (ingest/enrich.py).
    print(f"setup: analysis models loaded in {warm_up():.1f} s (once per process, untimed)")

    ingest = _ingest(workspace_id, bodies)
    del bodies
    connection.close()
    insert, rows = _prepare_baseline(db, baseline_db)
    runs = []
    for run_number in range(BASELINE_RUNS):
        target = baseline_db.with_name(f"baseline-{run_number}.sqlite3")
        _snapshot(baseline_db, target)
        runs.append(_baseline(target, insert, rows, batch))
        for path in target.parent.glob(target.name + "*"):
            path.unlink()
    del rows
    base = min(runs, key=lambda r: r["seconds"])

    if ingest["errors"] or base["stored"] != ingest["created"]:
        print(f"error: ingest stored {ingest['created']:,} of {ingest['received']:,} items "
              f"({ingest['errors']} errors, first: {ingest['first_error']}); "
              f"baseline stored {base['stored']:,}")
        return 1
    ingest_rate = ingest["received"] / ingest["seconds"]
    stored_rate = ingest["created"] / ingest["seconds"]
    base_rate = base["rows"] / base["seconds"]
    ratio = stored_rate / base_rate
    print()
    print_table(
        ["", "rows", "seconds", "cpu s", "rows/s"],
        [
            ["ingest path (parse+validate+dedupe+identities+threads+analysis+store+aggregates)",
             f"{ingest['created']:,}", f"{ingest['seconds']:.2f}", f"{ingest['cpu_seconds']:.2f}",
             f"{stored_rate:,.0f}"],
            [f"raw executemany INSERT into {MESSAGE_TABLE}, {batch} rows/txn (best of "
             f"{BASELINE_RUNS})",
             f"{base['rows']:,}", f"{base['seconds']:.2f}", f"{base['cpu_seconds']:.2f}",
             f"{base_rate:,.0f}"],
        ],
    )
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(f"\nratio ingest / raw insert: {ratio:.3f} ({verdict} the target >= {TARGET_RATIO})")
    if ingest["duplicates"]:
        print(f"({ingest['duplicates']:,} duplicate items in the generated stream were skipped)")
    emit_json({
        "bench": "ingest",
        "machine": facts,
        "items": ingest["received"],
        "created": ingest["created"],
        "duplicates": ingest["duplicates"],
        "batch": batch,
        "ingest_seconds": round(ingest["seconds"], 3),
        "ingest_cpu_seconds": round(ingest["cpu_seconds"], 3),
        "ingest_items_per_s": round(ingest_rate, 1),
        "ingest_messages_per_s": round(stored_rate, 1),
        "baseline_seconds": round(base["seconds"], 3),
        "baseline_cpu_seconds": round(base["cpu_seconds"], 3),
        "baseline_rows_per_s": round(base_rate, 1),
        "baseline_runs_seconds": [round(r["seconds"], 3) for r in runs],
        "ratio": round(ratio, 4),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
    })
    return 0
