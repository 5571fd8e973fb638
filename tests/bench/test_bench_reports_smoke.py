"""`breakwater bench reports` at a tiny size, so it cannot rot: it runs, prints its table and a
final JSON line with every metric timed (no timing asserted; see test_bench_smoke.py)."""

from __future__ import annotations

import argparse
import json

import pytest

from breakwater.bench import run_bench


def test_reports_bench_times_every_available_metric(capfd: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(which="reports", items=None, messages=3000, samples=1)
    code = run_bench(args)
    out, err = capfd.readouterr()
    assert code == 0, f"bench reports failed:\n{out}\n{err}"
    figures = json.loads(out.strip().splitlines()[-1])

    assert "p95 / baseline" in out and "worst metric p95" in out
    assert (figures["bench"], figures["messages"], figures["database"]) == ("reports", 3000, "sqlite")
    results = figures["results_ms"]
    for key in ("baseline COUNT(*)", "inbound_volume", "response_rate", "first_response_time",
                "first_response_time_p90", "resolution_time", "sentiment_share",
                "first_response_time (business hours)"):  # fmt: skip
        assert results[key]["p95_ms"] >= results[key]["p50_ms"] >= 0, key
        assert results[key]["n"] == 5 and results[key]["max_ms"] > 0, key
    assert "share_of_voice" in figures["skipped"]
    assert figures["machine"]["cores"] >= 1
