"""`breakwater bench inbox`: inbox list and conversation latency on a big inbox, over HTTP.

1. A fresh SQLite database with 1,000,000 messages (``--messages``) in 200,000
   conversations, seeded with plain SQL (see ``seed.py``).
2. ``breakwater web`` (uvicorn, one worker) serves it; this process times requests with
   httpx over loopback, warmed up first, ``--samples`` (200) of each:
   * the API (bearer token): ``GET /api/v1/conversations`` with ``?status=open``,
     ``?channel=ID`` (rotating over the channels), ``?tag=NAME`` (rotating over all ten
     tags, the rare ones included), the second page ``?status=open&cursor=...``, and
     ``GET /api/v1/conversations/{id}`` for random conversations;
   * the same as HTML pages for a signed-in user: ``/`` with the same query strings (the
     page's status defaults to open) and ``/c/<id>/``.
3. p50/p95 per request kind; targets: inbox list p95 <= 25 ms (API), <= 50 ms (page).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from breakwater.bench import seed
from breakwater.bench.common import (
    emit_json,
    machine_facts,
    migrate_fresh,
    percentile,
    print_machine,
    print_table,
)

DEFAULT_MESSAGES = 1_000_000
DEFAULT_SAMPLES = 200
WARMUP = 10
TARGET_API_MS = 25.0
TARGET_PAGE_MS = 50.0
EMAIL = "bench@breakwater.invalid"
LIST_KINDS = ("open", "channel", "tag", "page 2 (cursor)")


def _setup_workspace() -> tuple[seed.Workspace, str, str]:
    """Owner, agents, channels, tags and an API token, made through the actions."""
    from breakwater.core.actions import do_create_channel, do_create_token, do_create_user
    from breakwater.core.models import Role
    from breakwater.inbox.models import Tag

    password = os.urandom(12).hex()
    owner = do_create_user(EMAIL, password, "bench", Role.OWNER, name="Bench Owner")
    agents = [
        do_create_user(f"agent{i}@breakwater.invalid", password, "bench", Role.AGENT).user_id
        for i in range(1, seed.AGENTS + 1)
    ]
    channels = [
        do_create_channel(owner, "demo", name, {"handle": "aaltokahvi"}).pk
        for name, _ in seed.CHANNELS
    ]
    tags = {
        name: Tag.objects.create(workspace_id=owner.workspace_id, name=name).pk
        for name, _ in seed.TAGS
    }
    token = do_create_token(owner, "bench")
    return seed.Workspace(owner.workspace_id, channels, agents, tags), password, token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    """``breakwater web`` with this process's environment (the bench's data dir)."""
    argv = [sys.executable, "-c", "from breakwater.cli import main; main()",
            "web", "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            argv, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy()
        )


def _wait_ready(client: Any, server: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the web server exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):  # not listening yet
            if client.get("/healthz").status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the web server did not answer within 60 s:\n{log.read_text()[-3000:]}")


def _login(client: Any, password: str) -> None:
    form = client.get("/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if form.status_code != 200 or not match:
        raise RuntimeError(f"no login form at /login/ (HTTP {form.status_code})")
    answer = client.post("/login/", data={"username": EMAIL, "password": password,
                                          "csrfmiddlewaretoken": match.group(1)})  # fmt: skip
    if answer.status_code != 302 or "/login/" in answer.headers.get("location", ""):
        raise RuntimeError(f"login as {EMAIL} failed (HTTP {answer.status_code})")


def _time(client: Any, paths: Callable[[int], str], samples: int) -> dict[str, Any]:
    """Warm up, then time ``samples`` requests; path ``i`` comes from ``paths(i)``."""
    for i in range(WARMUP):
        client.get(paths(i)).raise_for_status()
    times, slowest = [], (0.0, "")
    for i in range(samples):
        path = paths(WARMUP + i)
        t0 = time.perf_counter()
        response = client.get(path)
        body = response.content
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}: {body[:300]!r}")
        times.append(elapsed)
        slowest = max(slowest, (elapsed, path))
    return {
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
        "slowest": slowest[1],
        "bytes": len(body),
    }


def _measure(api: Any, web: Any | None, ws: seed.Workspace, samples: int,
             seeded: seed.Seeded) -> dict[str, dict[str, Any]]:
    channels, tags = ws.channel_ids, list(ws.tag_ids)
    first = api.get("/api/v1/conversations", params={"status": "open"}).json()
    cursor = first["next_cursor"]
    if not cursor:
        raise RuntimeError("the open list has a single page: seed more messages")
    rng = random.Random(seed.SEED)  # noqa: S311
    convs = list(seed.conversation_ids(rng, seeded, samples + WARMUP))
    queries: dict[str, Callable[[int], str]] = {
        "open": lambda i: "?status=open",
        "channel": lambda i: f"?channel={channels[i % len(channels)]}",
        "tag": lambda i: f"?tag={tags[i % len(tags)]}",
        "page 2 (cursor)": lambda i: f"?status=open&cursor={cursor}",
    }
    results: dict[str, dict[str, Any]] = {}
    for name, query in queries.items():
        results[f"api {name}"] = _time(api, lambda i, q=query: "/api/v1/conversations" + q(i),
                                       samples)
        if web is not None:
            results[f"page {name}"] = _time(web, lambda i, q=query: "/" + q(i), samples)
    results["api conversation"] = _time(api, lambda i: f"/api/v1/conversations/{convs[i]}", samples)
    if web is not None:
        results["page conversation"] = _time(web, lambda i: f"/c/{convs[i]}/", samples)
    return results


def run(args: argparse.Namespace) -> int:
    import httpx
    from django.db import connection

    messages = args.messages if args.messages is not None else DEFAULT_MESSAGES
    samples = args.samples if args.samples is not None else DEFAULT_SAMPLES
    if messages < 500 or samples < 1:
        raise SystemExit("--messages must be at least 500 and --samples at least 1")
    facts = machine_facts()
    print(f"breakwater bench inbox: {messages:,} messages, {samples} samples per request kind")
    print_machine(facts)

    t0 = time.perf_counter()
    db = migrate_fresh()
    ws, password, token = _setup_workspace()
    connection.close()
    seeded = seed.seed(db, ws, messages)
    seed_seconds = time.perf_counter() - t0
    size_mb = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6
    print(f"seeded {seeded.messages:,} messages in {seeded.conversations:,} conversations "
          f"({seeded.status['open']:,} open), {seeded.authors:,} authors, "
          f"{size_mb:,.0f} MB, in {seed_seconds:.1f} s")
    print("tags (conversations / open): " + ", ".join(
        f"{t} {seeded.tagged[t]:,}/{seeded.open_by_tag[t]:,}" for t in ws.tag_ids))

    port = _free_port()
    log = Path(db).parent / "web.log"
    server = _start_server(port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as api, \
             httpx.Client(base_url=base, timeout=60) as web:  # fmt: skip
            _wait_ready(api, server, log)
            page_error = None
            try:
                _login(web, password)
            except RuntimeError as exc:
                page_error = str(exc)
                print(f"pages skipped: {page_error}")
            results = _measure(api, None if page_error else web, ws, samples, seeded)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

    _report(results, facts, seeded, samples, seed_seconds, page_error)
    return 0


def _report(results: dict[str, dict[str, Any]], facts: dict[str, Any], seeded: seed.Seeded,
            samples: int, seed_seconds: float, page_error: str | None) -> None:
    def cell(key: str, figure: str) -> str:
        return f"{results[key][figure]:.1f}" if key in results else "n/a"

    print()
    print_table(
        ["request (ms)", "API p50", "API p95", "page p50", "page p95"],
        [[name, cell(f"api {name}", "p50_ms"), cell(f"api {name}", "p95_ms"),
          cell(f"page {name}", "p50_ms"), cell(f"page {name}", "p95_ms")]
         for name in (*LIST_KINDS, "conversation")],
    )  # fmt: skip
    api_p95 = max(results[f"api {k}"]["p95_ms"] for k in LIST_KINDS)
    page_p95 = max(
        (results[f"page {k}"]["p95_ms"] for k in LIST_KINDS if f"page {k}" in results),
        default=None,
    )
    slowest = max(results.items(), key=lambda kv: kv[1]["max_ms"])
    print()
    print(f"inbox list p95, worst of the four: API {api_p95:.1f} ms "
          f"(target <= {TARGET_API_MS:.0f}: {'meets' if api_p95 <= TARGET_API_MS else 'MISSES'})",
          end="")
    if page_p95 is None:
        print(f"; pages not measured ({page_error})")
    else:
        print(f"; page {page_p95:.1f} ms (target <= {TARGET_PAGE_MS:.0f}: "
              f"{'meets' if page_p95 <= TARGET_PAGE_MS else 'MISSES'})")
        print(f"page / API p95 ratio (list, worst): {page_p95 / api_p95:.2f}")
    print(f"slowest single request: {slowest[1]['max_ms']:.1f} ms, {slowest[0]} "
          f"{slowest[1]['slowest']}")
    emit_json({
        "bench": "inbox",
        "machine": facts,
        "messages": seeded.messages,
        "conversations": seeded.conversations,
        "open": seeded.status["open"],
        "samples": samples,
        "seed_seconds": round(seed_seconds, 1),
        "results_ms": {
            k: {f: v[f] for f in ("p50_ms", "p95_ms", "max_ms")} for k, v in results.items()
        },
        "list_p95_api_ms": api_p95,
        "list_p95_page_ms": page_p95,
        "target_api_ms": TARGET_API_MS,
        "target_page_ms": TARGET_PAGE_MS,
        "meets_target_api": api_p95 <= TARGET_API_MS,
        "meets_target_page": page_p95 is not None and page_p95 <= TARGET_PAGE_MS,
        "pages_error": page_error,
    })
