"""`breakwater bench reports`: every report metric over a million messages, beside a baseline.

1. A fresh database (all migrations) gets ``--messages`` messages (default 1,000,000) from
   ``seed.py``: conversations of 1-9 messages over the year before ``seed.END``, brand replies
   in between (some by the five agents), ten tags. Then, in SQL, a sentiment on every
   inbound message (by id: a third each) and a "marked done" audit row an hour after the
   last activity of each done conversation, so resolution time has rounds to measure.
2. Each available metric runs through ``reports.metrics.compute`` (the API's own path) on
   ``--samples`` requests per case, over windows ending on random days of the seeded year:
   the last 30 days, 7 days and 90 days unfiltered, and 30 days filtered by a channel
   and by a tag. First response times run once more with business hours set. Warm cache;
   each case is run once untimed first.
3. Baseline, same run, same windows: a plain ``COUNT(*)`` of the workspace's inbound messages
   in the window (what any report must at least read).

Target: every metric p95 <= 500 ms at 1,000,000 messages. SQLite by default; PostgreSQL when
``DATABASE_URL`` is set (a database of its own is created beside the named one and dropped
afterwards).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from breakwater.bench import seed
from breakwater.bench.common import (
    emit_json,
    machine_facts,
    percentile,
    print_machine,
    print_table,
)

DEFAULT_MESSAGES = 1_000_000
DEFAULT_SAMPLES = 5
TARGET_P95_MS = 500.0
CASES = (("30 days", 30, None), ("7 days", 7, None), ("90 days", 90, None),
         ("30 days, channel", 30, "channel"), ("30 days, tag", 30, "tag"))  # fmt: skip


def setup_workspace() -> seed.Workspace:
    from breakwater.bench.inbox import _setup_workspace

    return _setup_workspace()[0]


def enrich(vendor: str) -> None:
    """Sentiment on inbound messages and done-audit rows, in SQL (see the module doc)."""
    from django.db import connection

    from breakwater.inbox.models import Status

    hour = "+ INTERVAL '1 hour'" if vendor == "postgresql" else ""
    done_at = ("c.last_activity_at " + hour) if hour else "datetime(c.last_activity_at, '+1 hour')"
    data = "'{\"status\": \"done\"}'" + ("::jsonb" if vendor == "postgresql" else "")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inbox_message SET sentiment = CASE id % 3 WHEN 0 THEN 'positive' "
            "WHEN 1 THEN 'neutral' ELSE 'negative' END WHERE direction = 'in'"
        )
        cursor.execute(
            "INSERT INTO core_auditlog (workspace_id, actor_id, action, target_type, target_id, "
            f"data, created_at) SELECT c.workspace_id, NULL, 'conversation.updated', "
            f"'conversation', c.id, {data}, {done_at} FROM inbox_conversation c "
            "WHERE c.status = %s",
            [Status.DONE],
        )


def _time(call: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and this process's CPU milliseconds of one call. On SQLite the query runs
    in this process, so CPU time is what the call costs on an idle core even when the
    machine is shared; on PostgreSQL it leaves out the server's work."""
    t, c = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


def measure(ws: seed.Workspace, samples: int) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    from django.db import connection

    from breakwater.reports.metrics import METRICS, Filters, compute
    from breakwater.reports.metrics.base import db_param

    rng = random.Random(seed.SEED)  # noqa: S311 (benchmark windows)
    last = (seed.END - timedelta(days=1)).date()
    channel = ws.channel_ids[0]
    tag = ws.tag_ids["question"]
    windows: dict[str, list[Filters]] = {}
    for name, days, narrow in CASES:
        windows[name] = []
        for _ in range(samples + 1):
            end = last - timedelta(days=rng.randrange(0, 365 - days))
            windows[name].append(Filters(
                ws.workspace_id, end - timedelta(days=days - 1), end,
                channel_id=channel if narrow == "channel" else None,
                tag_id=tag if narrow == "tag" else None, timezone="Europe/Helsinki",
            ))  # fmt: skip

    def baseline(f: Filters) -> None:
        lo, hi = f.bounds
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM inbox_message WHERE workspace_id = %s AND direction = 'in' "
                "AND created_at >= %s AND created_at < %s",
                [f.workspace_id, db_param(lo), db_param(hi)],
            )
            cursor.fetchone()

    results: dict[str, dict[str, Any]] = {}

    def run(label: str, fn: Callable[[Filters], Any]) -> None:
        pairs: list[tuple[float, float]] = []
        by_case: dict[str, float] = {}
        for name, _, _ in CASES:
            first, *rest = windows[name]
            fn(first)  # warm
            timed = [_time(lambda f=f: fn(f)) for f in rest]
            by_case[name] = round(percentile([w for w, _ in timed], 95), 1)
            pairs.extend(timed)
        times, cpu = [w for w, _ in pairs], [c for _, c in pairs]
        results[label] = {"p50_ms": round(percentile(times, 50), 1),
                          "p95_ms": round(percentile(times, 95), 1),
                          "max_ms": round(max(times), 1), "n": len(times),
                          "cpu_p50_ms": round(percentile(cpu, 50), 1),
                          "cpu_p95_ms": round(percentile(cpu, 95), 1),
                          "p95_ms_by_case": by_case}  # fmt: skip
        print(f"  {label}: p95 {results[label]['p95_ms']:.1f} ms", flush=True)

    run("baseline COUNT(*)", baseline)
    skipped = []
    for key, entry in METRICS.items():
        probe = compute(key, windows["30 days"][0])
        if not probe.available:
            skipped.append(key)
            continue
        run(key, lambda f, k=key: compute(k, f))
    _business_hours(ws)
    for key in ("first_response_time", "first_response_time_p90", "sla_attainment"):
        run(f"{key} (business hours)", lambda f, k=key: compute(k, f))
    return results, {"skipped": skipped}


def _business_hours(ws: seed.Workspace) -> None:
    """Hours Monday-Friday 08:00-16:00 and a 60-minute business-hours target."""
    from breakwater.core.models import Membership, Role
    from breakwater.sla import actions

    owner = Membership.objects.get(workspace_id=ws.workspace_id, role=Role.OWNER)
    actions.do_set_business_hours(owner, actions.HoursChange(
        week=[[["08:00", "16:00"]]] * 5 + [[], []], finnish_holidays=True))  # fmt: skip
    actions.do_create_target(owner, actions.TargetChange(minutes=60, business_hours=True))


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from breakwater.bench.common import migrate_fresh

    messages = args.messages if args.messages is not None else DEFAULT_MESSAGES
    samples = args.samples if args.samples is not None else DEFAULT_SAMPLES
    if messages < 500 or samples < 1:
        raise SystemExit("--messages must be at least 500 and --samples at least 1")
    facts = machine_facts()
    vendor = connection.vendor
    print(f"breakwater bench reports: {messages:,} messages on {vendor}, "
          f"{samples} samples x {len(CASES)} cases per metric")  # fmt: skip
    print_machine(facts)
    t0 = time.perf_counter()
    if vendor == "postgresql":
        from django.core.management import call_command

        from breakwater.bench import pg

        call_command("migrate", interactive=False, verbosity=0)
        ws = setup_workspace()
        seeded = pg.seed_postgres(ws, messages)
    else:
        db = migrate_fresh()
        ws = setup_workspace()
        connection.close()
        seeded = seed.seed(db, ws, messages)
    enrich(vendor)
    from breakwater.reports import waits

    t_waits = time.perf_counter()
    waits.rebuild_all()  # the seed's raw inserts only marked conversations stale
    print(f"kept response waits rebuilt in {time.perf_counter() - t_waits:.1f} s")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # index-only scans need the visibility map
    seed_seconds = time.perf_counter() - t0
    print(f"seeded {seeded.messages:,} messages in {seeded.conversations:,} conversations "
          f"in {seed_seconds:.1f} s")  # fmt: skip
    results, notes = measure(ws, samples)
    base = results["baseline COUNT(*)"]["p95_ms"]
    print()
    print_table(
        ["metric (ms)", "p50", "p95", "max", "p95 / baseline", "CPU p50", "CPU p95"],
        [[k, f"{v['p50_ms']:.1f}", f"{v['p95_ms']:.1f}", f"{v['max_ms']:.1f}",
          f"{v['p95_ms'] / base:.1f}" if base else "n/a", f"{v['cpu_p50_ms']:.1f}",
          f"{v['cpu_p95_ms']:.1f}"] for k, v in results.items()],
    )  # fmt: skip
    print()
    print_table(
        ["p95 by case (ms)", *(c[0] for c in CASES)],
        [[k, *(f"{v['p95_ms_by_case'][c[0]]:.1f}" for c in CASES)] for k, v in results.items()],
    )  # fmt: skip
    worst = max((kv for kv in results.items() if kv[0] != "baseline COUNT(*)"),
                key=lambda kv: kv[1]["p95_ms"])  # fmt: skip
    print()
    print(f"not available yet (skipped): {', '.join(notes['skipped']) or 'none'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None:
        print(f"load average (1 min) at the end: {load:.1f} on {facts['cores']} cores")
    print(f"worst metric p95: {worst[1]['p95_ms']:.1f} ms ({worst[0]}; target <= "
          f"{TARGET_P95_MS:.0f}: {'meets' if worst[1]['p95_ms'] <= TARGET_P95_MS else 'MISSES'})")
    emit_json({
        "bench": "reports", "machine": facts, "database": vendor,
        "messages": seeded.messages, "conversations": seeded.conversations,
        "samples": samples, "cases": [c[0] for c in CASES],
        "seed_seconds": round(seed_seconds, 1), "results_ms": results,
        "worst_p95_ms": worst[1]["p95_ms"], "worst_metric": worst[0],
        "baseline_p95_ms": base, "skipped": notes["skipped"], "load_average": load,
    })  # fmt: skip
    return 0




# -- isolation: SQLite through bench.env, PostgreSQL in a database of its own ---------------

PG_VAR = "BREAKWATER_BENCH_PG"


def _inside_postgres() -> bool:
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    from breakwater.bench import env

    bench_dir = os.environ.get(env.DIR_VAR)
    return bool(
        os.environ.get(PG_VAR) == "1" and bench_dir
        and Path(bench_dir).resolve() == Path(settings.DATA_DIR)
        and connection.vendor == "postgresql"
        and str(connection.settings_dict["NAME"]).endswith("_bench_reports")
    )  # fmt: skip


def entry(args: argparse.Namespace) -> int:
    """Run here when isolated already; else start the isolated child (PostgreSQL when the
    caller's ``DATABASE_URL`` is set, in ``<its name>_bench_reports``, dropped afterwards)."""
    from breakwater.bench import env

    if env.inside() or _inside_postgres():
        return run(args)
    if not os.environ.get("DATABASE_URL"):
        return env.run_isolated(args)
    return _run_isolated_postgres(args)


def _run_isolated_postgres(args: argparse.Namespace) -> int:
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    from breakwater.bench import env

    url = urlsplit(os.environ["DATABASE_URL"])
    name = (url.path.lstrip("/") or "postgres") + "_bench_reports"
    bench_url = urlunsplit(url._replace(path="/" + name))
    admin = urlunsplit(url._replace(path="/postgres"))
    data_dir = Path(tempfile.mkdtemp(prefix="breakwater-bench-reports-")).resolve()
    keep = os.environ.get(env.KEEP_VAR) == "1"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    child = {**env.child_env(data_dir), "DATABASE_URL": bench_url, PG_VAR: "1"}
    try:
        return subprocess.call(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "breakwater.bench", *env.child_argv(args)], env=child
        )
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if keep:
            print(f"bench database kept: {name}", file=sys.stderr)
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
