"""Every benchmark at a tiny size, so none can rot: they run, print their table and a final
JSON line, and every figure is there and positive. No timing is asserted (that is what the
full runs are for, on a quiet machine)."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from breakwater.bench import env, run_bench


def _run(capfd: pytest.CaptureFixture[str], **args: Any) -> tuple[str, dict[str, Any]]:
    namespace = argparse.Namespace(**{"items": None, "messages": None, "samples": None,
                                      "topics": None, "posts": None, **args})
    code = run_bench(namespace)
    out, err = capfd.readouterr()
    assert code == 0, f"bench {args['which']} failed:\n{out}\n{err}"
    lines = out.strip().splitlines()
    return out, json.loads(lines[-1])


def _machine(figures: dict[str, Any]) -> None:
    machine = figures["machine"]
    assert machine["cores"] >= 1
    assert machine["sqlite"].count(".") == 2
    assert machine["python"]


def test_ingest_bench_prints_rates_and_ratio(capfd: pytest.CaptureFixture[str]) -> None:
    out, figures = _run(capfd, which="ingest", items=2000)

    assert "ratio ingest / raw insert" in out
    assert figures["bench"] == "ingest"
    assert (figures["items"], figures["created"], figures["batch"]) == (2000, 2000, 1000)
    for key in ("ingest_items_per_s", "baseline_rows_per_s", "ratio", "ingest_seconds",
                "baseline_seconds"):  # fmt: skip
        assert figures[key] > 0, key
    _machine(figures)


def test_inbox_bench_prints_latencies_for_api_and_pages(capfd: pytest.CaptureFixture[str]) -> None:
    out, figures = _run(capfd, which="inbox", messages=5000, samples=10)

    assert "API p95" in out and "page p95" in out
    assert figures["bench"] == "inbox"
    assert figures["messages"] == 5000
    assert figures["pages_error"] is None, figures["pages_error"]
    kinds = ("open", "channel", "tag", "page 2 (cursor)", "conversation")
    for side in ("api", "page"):
        for kind in kinds:
            result = figures["results_ms"][f"{side} {kind}"]
            assert result["p50_ms"] > 0 and result["p95_ms"] >= result["p50_ms"], (side, kind)
    assert figures["list_p95_api_ms"] > 0 and figures["list_p95_page_ms"] > 0
    _machine(figures)


def test_search_bench_prints_latencies_per_query_kind(capfd: pytest.CaptureFixture[str]) -> None:
    out, figures = _run(capfd, which="search", messages=3000)

    assert "search p95" in out
    assert (figures["bench"], figures["messages"]) == ("search", 3000)
    assert figures["p95_ms"] >= figures["p50_ms"] > 0
    assert set(figures["by_kind"]) == {"rare word", "common word", "two words", "prefix",
                                       "inflected fi"}
    _machine(figures)


def test_analysis_bench_prints_costs_beside_ingest(capfd: pytest.CaptureFixture[str]) -> None:
    out, figures = _run(capfd, which="analysis", items=2000)

    assert "fast analysis median" in out and "worker sentiment fill" in out
    assert figures["bench"] == "analysis"
    for key in ("ingest_off_ms_per_message", "ingest_on_ms_per_message",
                "fast_analysis_median_ms", "sentiment_fast_per_s"):  # fmt: skip
        assert figures[key] > 0, key
    assert figures["sentiment_fill"]["messages"] > 0
    assert set(figures["macro_f1"]["fast"]) == {"fi", "en", "sv"}
    _machine(figures)


def test_listening_bench_prints_the_matcher_beside_its_ceiling_and_the_naive_regex(
        capfd: pytest.CaptureFixture[str]) -> None:
    out, figures = _run(capfd, which="listening", topics=300, posts=2000)

    assert "matcher (prefilter + boolean check)" in out and "naive: one alternation regex" in out
    assert "matcher / ceiling" in out
    assert (figures["bench"], figures["topics"], figures["posts"]) == ("listening", 300, 2000)
    for key in ("matcher_posts_per_s", "ceiling_posts_per_s", "token_set_prefilter_posts_per_s",
                "naive_posts_per_s", "ratio_to_ceiling", "keys"):  # fmt: skip
        assert figures[key] > 0, key
    assert figures["always_topics"] >= 1 and figures["matches_per_post"] > 0
    assert set(figures["targets_met"]) == {"posts_per_s", "ratio_to_ceiling"}
    _machine(figures)


def test_the_child_gets_no_database_or_redis_of_the_user(tmp_path: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.invalid/prod")
    monkeypatch.setenv("REDIS_URL", "redis://redis.invalid/0")
    monkeypatch.setenv("BREAKWATER_DATA_DIR", "/srv/breakwater")
    monkeypatch.setenv("BREAKWATER_INGEST_BATCH", "5")

    child = env.child_env(tmp_path)

    assert "DATABASE_URL" not in child and "REDIS_URL" not in child
    assert "BREAKWATER_INGEST_BATCH" not in child
    assert child["BREAKWATER_DATA_DIR"] == str(tmp_path) == child[env.DIR_VAR]
    assert child["DJANGO_SETTINGS_MODULE"] == "breakwater.settings"
