"""What both benchmarks share: machine facts, a fresh database, SQLite connections, output."""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def machine_facts() -> dict[str, Any]:
    import django

    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": django.get_version(),
        "platform": platform.platform(terse=True),
    }


def print_machine(facts: dict[str, Any]) -> None:
    print(
        f"machine: {facts['cores']} cores, Python {facts['python']}, SQLite {facts['sqlite']}, "
        f"Django {facts['django']}, {facts['platform']}"
    )


def db_path() -> Path:
    from django.conf import settings

    return Path(settings.DATABASES["default"]["NAME"])


def migrate_fresh() -> Path:
    """Create the bench's database with every migration; refuses a database that has data."""
    from django.core.management import call_command

    path = db_path()
    if path.exists() and path.stat().st_size > 0:
        raise RuntimeError(f"{path} exists: a benchmark only ever runs on a fresh database")
    call_command("migrate", interactive=False, verbosity=0)
    return path


def init_pragmas() -> list[str]:
    """The PRAGMAs the app's own SQLite connections run (settings' ``init_command``)."""
    from django.conf import settings

    command = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
    return [p.strip() for p in command.split(";") if p.strip()]


def sqlite_connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection configured like the app's: same PRAGMAs, foreign keys on
    (Django turns them on for every connection), transactions managed by the caller."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=20)
    for pragma in init_pragmas():
        conn.execute(pragma)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def emit_json(figures: dict[str, Any]) -> None:
    """The last line of every run: all figures, one JSON object (for notes and CI logs)."""
    print(json.dumps(figures, sort_keys=False, default=str))
    sys.stdout.flush()
