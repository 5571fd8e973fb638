"""`python -m breakwater.web.reports_bench` at a tiny size, so it cannot rot: it seeds a fresh
database, times the dashboard and the PDF and prints them (no timing asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_dashboard_bench_runs_and_prints_its_figures() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "BREAKWATER_DATA_DIR": data_dir,
               "DJANGO_SETTINGS_MODULE": "breakwater.settings"}
        env.pop("DATABASE_URL", None)  # the bench makes its own fresh SQLite database
        done = subprocess.run(  # noqa: S603 (our own module)
            [sys.executable, "-m", "breakwater.web.reports_bench", "--messages", "500",
             "--runs", "1"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "500 messages on sqlite" in done.stdout
    for line in ("every metric once (sum)", "dashboard (+ previous period)", "PDF (figures"):
        assert line in done.stdout
