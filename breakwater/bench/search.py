"""`breakwater bench search`: inbox search latency over a million messages, beside a baseline.

1. A fresh SQLite database (all migrations) gets ``--messages`` demo messages (default
   1,000,000, from ``generate_items``: Finnish, English and Swedish customer traffic) and
   their conversations, written with ``executemany`` in big transactions. ``search_text`` is
   ``analysis.lemmas.lemmas(text, language)``, as ingest stores it. The FTS5 triggers are
   dropped for the load and the index is built once afterwards (``rebuild`` + ``optimize``),
   which is how a backfill should do it too.
2. Queries of five kinds are drawn from the data (rare word, common word, two words, prefix
   ``abc*``, an inflected Finnish form such as "palautteesta") and each runs through
   ``inbox.queries.list_conversations``: the inbox's own path, first page of 50 newest
   conversations with snippets. Warm cache; every query is run once untimed first.
3. Baseline, same run, same database: the ``icontains`` filter the inbox had before full-text
   search (``preview`` or any message text), on a few queries of each kind.

Target: search p95 <= 100 ms at 1,000,000 messages.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from breakwater.bench.common import (
    emit_json,
    machine_facts,
    migrate_fresh,
    percentile,
    print_machine,
    print_table,
    sqlite_connect,
)
from breakwater.bench.seed import Table, db_time

DEFAULT_MESSAGES = 1_000_000
SEED = 20251125
TARGET_P95_MS = 100.0
QUERIES_PER_KIND = 40
BASELINE_PER_KIND = 3
CHUNK = 50_000
KINDS = ("rare word", "common word", "two words", "prefix", "inflected fi")
STATUSES = (("open", 30), ("pending", 10), ("done", 60))


def _setup_workspace() -> tuple[Any, list[int]]:
    from breakwater.core.actions import do_create_channel, do_create_user
    from breakwater.core.models import Role

    member = do_create_user("bench@breakwater.invalid", os.urandom(12).hex(), "bench", Role.OWNER)
    channels = [
        do_create_channel(member, "demo", name, {"handle": "aaltokahvi"})
        for name in ("Facebook page (bench)", "Instagram (bench)", "Google reviews (bench)")
    ]
    return member, [c.pk for c in channels]


MESSAGE_COLUMNS = (
    "workspace_id", "conversation_id", "channel_id", "network", "external_id", "direction",
    "kind", "parent_external_id", "text", "url", "media", "raw", "created_at", "received_at",
    "language", "search_text", "is_public",
)
CONVERSATION_COLUMNS = (
    "id", "workspace_id", "channel_id", "network", "thread_key", "kind", "status", "priority",
    "preview", "message_count", "first_inbound_at", "last_inbound_at", "last_activity_at",
    "created_at", "updated_at",
)


class _Seeder:
    """Message rows in chunks, conversations kept in memory and written at the end."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.conversations: dict[tuple[int, str], dict[str, Any]] = {}
        self.rng = random.Random(SEED)
        self.df: Counter[str] = Counter()
        self.words: Counter[str] = Counter()
        self.inflected: Counter[str] = Counter()
        self.pairs: list[str] = []
        self.sampled = 0

    def message_row(self, item: dict[str, Any]) -> tuple[Any, ...]:
        """One message, in ``MESSAGE_COLUMNS`` order (``seed.Table`` adds the defaults)."""
        from breakwater.analysis.lemmas import lemmas

        language = (item.get("raw") or {}).get("lang", "")
        created = datetime.fromisoformat(item["created_at"])
        conv = self._conversation(item, created)
        search_text = " ".join(lemmas(item["text"], language))
        if self.sampled < 200_000 and self.rng.random() < 0.2:
            self._sample(item["text"], search_text, language)
        return (
            self.workspace_id, conv["id"], item["channel"], item["network"], item["external_id"],
            item.get("direction") or "in", item["kind"], item.get("parent_external_id") or "",
            item["text"], item.get("url") or "", json.dumps(item.get("media") or []), "{}",
            db_time(created), db_time(created), language, search_text,
            item.get("is_public", True),
        )  # fmt: skip

    def _conversation(self, item: dict[str, Any], created: datetime) -> dict[str, Any]:
        key = (item["channel"], item["thread_key"])
        conv = self.conversations.get(key)
        if conv is None:
            status = self.rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
            conv = self.conversations[key] = {
                "id": len(self.conversations) + 1, "channel": item["channel"],
                "network": item["network"], "thread_key": item["thread_key"],
                "kind": item["kind"], "status": status, "preview": item["text"][:280],
                "count": 0, "first": created, "last": created,
            }
        conv["count"] += 1
        conv["last"] = created
        if item.get("direction", "in") == "in":
            conv["preview"] = item["text"][:280]
        return conv

    def _sample(self, text: str, search_text: str, language: str) -> None:
        from breakwater.analysis.lemmas import lemma, tokenize

        self.sampled += 1
        self.df.update(set(search_text.split()))
        words = [w for w in dict.fromkeys(tokenize(text)) if len(w) > 3 and not w.isdigit()]
        self.words.update(words)
        if len(words) >= 2 and len(self.pairs) < 5000:
            self.pairs.append(" ".join(self.rng.sample(words, 2)))
        if language == "fi":
            for word in words:
                if len(word) > 5 and lemma(word, "fi") != word:
                    self.inflected[word] += 1

    def conversation_rows(self) -> list[tuple[Any, ...]]:
        """The conversations, in ``CONVERSATION_COLUMNS`` order."""
        rows = []
        for c in self.conversations.values():
            first, last = db_time(c["first"]), db_time(c["last"])
            rows.append((c["id"], self.workspace_id, c["channel"], c["network"], c["thread_key"],
                         c["kind"], c["status"], 0, c["preview"], c["count"], first, last,
                         last, first, last))
        return rows


def _seed(workspace_id: int, channel_ids: list[int], count: int) -> tuple[_Seeder, dict[str, float]]:
    """Load ``count`` messages; returns the seeder (for query sampling) and timings."""
    from django.db import connection

    from breakwater.connectors.demo.simulator import generate_items
    from breakwater.inbox import search
    from breakwater.inbox.models import Conversation, Message

    seeder = _Seeder(workspace_id)
    messages = Table(Message, MESSAGE_COLUMNS)
    conversations = Table(Conversation, CONVERSATION_COLUMNS)
    connection.ensure_connection()
    end = datetime(2026, 11, 1, tzinfo=UTC)
    items = generate_items(channel_ids, count, seed=SEED, start=end - timedelta(days=365), end=end)
    db = sqlite_connect(_db_path())
    db.execute("PRAGMA foreign_keys = OFF")  # conversations are written after their messages
    for name in search.SQLITE_TRIGGERS:
        db.execute(f"DROP TRIGGER {name}")
    timings = {"rows": 0.0, "insert": 0.0}
    t0 = time.perf_counter()
    for chunk in _chunks(items, CHUNK):
        t = time.perf_counter()
        rows = [seeder.message_row(item) for item in chunk]
        timings["rows"] += time.perf_counter() - t
        t = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        messages.insert(db, rows)
        db.execute("COMMIT")
        timings["insert"] += time.perf_counter() - t
    t = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    conversations.insert(db, seeder.conversation_rows())
    db.execute("COMMIT")
    timings["insert"] += time.perf_counter() - t
    timings["load"] = time.perf_counter() - t0
    t = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    search.rebuild_sqlite_index(db)
    for sql in search.SQLITE_TRIGGERS.values():
        db.execute(sql)
    db.execute("COMMIT")
    timings["index"] = time.perf_counter() - t
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return seeder, timings


def _db_path() -> Any:
    from breakwater.bench.common import db_path

    return db_path()


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _draw_queries(seeder: _Seeder, rng: random.Random, n: int) -> dict[str, list[str]]:
    """Queries of each kind, as people type them: words drawn from the sampled texts by how
    many messages they (or, for common words, their lemmas) occur in."""
    sampled = max(1, seeder.sampled)
    words = {w: c / sampled for w, c in seeder.words.items()}
    lemma_df = {t: c / sampled for t, c in seeder.df.items()}

    def band(freqs: dict[str, float], lo: float, hi: float) -> list[str]:
        return sorted(t for t, f in freqs.items() if lo <= f <= hi)

    rare = band(words, 0, 2e-4) or band(words, 0, 1)
    common = [w for w in band(lemma_df, 0.02, 0.08) if w in words] or band(words, 0.005, 1)
    prefixes = sorted({w[: rng.choice((3, 4, 5))] + "*" for w in band(words, 0.001, 0.05)
                       if len(w) > 5})
    inflected = sorted(w for w, c in seeder.inflected.items() if c >= 3) or rare

    def pick(pool: list[str]) -> list[str]:
        return [rng.choice(pool) for _ in range(n)]

    return {
        "rare word": pick(rare),
        "common word": pick(common),
        "two words": pick(seeder.pairs or common),
        "prefix": pick(prefixes or common),
        "inflected fi": pick(inflected),
    }


def _time(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def _measure(member: Any, queries: dict[str, list[str]], status: str | None = None
             ) -> dict[str, dict[str, Any]]:
    from breakwater.inbox import search
    from breakwater.inbox.queries import Filters, list_conversations

    out = {}
    for kind, qs in queries.items():
        for q in qs:  # warm-up: page cache and the lemma cache
            list_conversations(member, Filters(q=q, status=status))
        gc.collect()
        times, hits, walked = [], 0, 0
        for q in qs:
            rows: list[Any] = []
            times.append(_time(lambda q=q: rows.extend(
                list_conversations(member, Filters(q=q, status=status))[0])))
            hits += len(rows)
            walked += search.Search(member.workspace_id, q).hits() is None
        out[kind] = {"ms": times, "rows": hits / len(qs), "walk": walked}
    return out


def _baseline_filter(member: Any, q: str) -> list[Any]:
    """The inbox's filter before full-text search: a substring anywhere, one page."""
    from django.db.models import Exists, OuterRef, Q

    from breakwater.inbox.models import Conversation, Message

    qs = Conversation.objects.filter(workspace_id=member.workspace_id).filter(
        Q(preview__icontains=q)
        | Exists(Message.objects.filter(conversation=OuterRef("pk"), text__icontains=q))
    )
    return list(qs.order_by("-last_activity_at", "-pk")[:51])


def _measure_baseline(member: Any, queries: dict[str, list[str]]) -> dict[str, list[float]]:
    out = {}
    for kind, qs in queries.items():
        # The old filter had no prefix syntax or word logic: the text as typed, minus "*".
        texts = [q.rstrip("*") for q in qs[:BASELINE_PER_KIND]]
        _baseline_filter(member, texts[0])
        out[kind] = [_time(lambda t=t: _baseline_filter(member, t)) for t in texts]
    return out


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    count = args.messages if args.messages is not None else DEFAULT_MESSAGES
    per_kind = args.samples if args.samples is not None else QUERIES_PER_KIND
    if count < 1000:
        raise SystemExit("--messages must be at least 1000")
    facts = machine_facts()
    print(f"breakwater bench search: {count:,} demo messages, {per_kind} queries of each kind")
    print_machine(facts)
    from breakwater.analysis.lemmas import voikko_available

    print(f"lemmas: {'Voikko' if voikko_available() else 'simplemma (Voikko not installed)'}")

    migrate_fresh()
    member, channel_ids = _setup_workspace()
    seeder, timings = _seed(member.workspace_id, channel_ids, count)
    connection.close()
    size = sum(p.stat().st_size for p in _db_path().parent.glob(_db_path().name + "*"))
    print(f"seeded {count:,} messages in {len(seeder.conversations):,} conversations: "
          f"rows {timings['rows']:.1f} s, insert {timings['insert']:.1f} s, "
          f"FTS5 build {timings['index']:.1f} s; database {size / 2**20:,.0f} MiB")

    rng = random.Random(SEED)
    queries = _draw_queries(seeder, rng, per_kind)
    results = _measure(member, queries)
    with_status = _measure(member, {k: v[: max(5, per_kind // 4)] for k, v in queries.items()},
                           status="open")
    baseline = _measure_baseline(member, queries)
    all_ms = [t for r in results.values() for t in r["ms"]]
    base_ms = [t for ts in baseline.values() for t in ts]
    rows = []
    for kind in KINDS:
        r, b = results[kind], baseline[kind]
        rows.append([kind, f"{percentile(r['ms'], 50):.2f}", f"{percentile(r['ms'], 95):.2f}",
                     f"{percentile(with_status[kind]['ms'], 95):.2f}",
                     f"{r['rows']:.0f}", f"{r['walk']}/{len(r['ms'])}",
                     f"{percentile(b, 50):.0f}", f"{percentile(b, 50) / percentile(r['ms'], 50):.0f}x",
                     f"e.g. {queries[kind][0]!r}"])
    p50, p95 = percentile(all_ms, 50), percentile(all_ms, 95)
    b50 = percentile(base_ms, 50)
    rows.append(["all", f"{p50:.2f}", f"{p95:.2f}",
                 f"{percentile([t for r in with_status.values() for t in r['ms']], 95):.2f}",
                 "", "", f"{b50:.0f}", f"{b50 / p50:.0f}x", ""])
    print()
    print_table(["query (first page, 50 rows + snippets)", "p50 ms", "p95 ms", "p95 open",
                 "rows", "walk", "icontains p50 ms", "ratio p50", ""], rows)
    verdict = "meets" if p95 <= TARGET_P95_MS else "MISSES"
    print(f"\nsearch p95 {p95:.1f} ms over {count:,} messages ({verdict} the target "
          f"<= {TARGET_P95_MS:.0f} ms); icontains baseline p50 {b50:.0f} ms, {b50 / p50:.0f}x slower")
    print("walk: queries with more than search.RARE_CAP matches, answered by walking "
          "conversations newest-first instead of listing the matches")
    emit_json({
        "bench": "search",
        "machine": facts,
        "messages": count,
        "conversations": len(seeder.conversations),
        "seed_seconds": round(timings["load"], 2),
        "fts_build_seconds": round(timings["index"], 2),
        "database_mib": round(size / 2**20, 1),
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "by_kind": {k: {"p50_ms": round(percentile(v["ms"], 50), 3),
                        "p95_ms": round(percentile(v["ms"], 95), 3),
                        "walked": v["walk"]} for k, v in results.items()},
        "baseline_icontains_p50_ms": round(b50, 1),
        "ratio_p50": round(b50 / p50, 1),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": p95 <= TARGET_P95_MS,
    })
    return 0
