"""A large inbox, fast: conversations, messages, contacts and tags written with plain SQL.

The pipeline would take minutes for a million messages; this writes the same tables
directly (indexes dropped during the load and rebuilt after, as a bulk import would), with
values converted the way the app converts them. Everything comes from one seeded
``random.Random``, so a run is reproducible.

Shape (for ``messages`` = M): M / 5 conversations of 1-9 messages (5 on average) on four
channels (skewed 45/30/15/10 %), over the year before ``END``, ids in time order like a
live inbox. A third as many authors as conversations; brand replies in between. Recent
conversations are mostly open, older ones mostly done (about 15 % open overall); 40 %
assigned to one of five agents. Ten tags with a long tail: from 25 % of conversations
down to 0.1 %.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

END = datetime(2026, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=365)
CHANNELS = (("Facebook page (bench)", 45), ("Instagram (bench)", 30),
            ("Google reviews (bench)", 15), ("Email (bench)", 10))  # fmt: skip
AGENTS = 5
# Ten tags, most common first: what share of conversations carries each.
TAGS = (("question", 0.25), ("complaint", 0.15), ("praise", 0.10), ("order", 0.06),
        ("delivery", 0.04), ("app", 0.025), ("billing", 0.015), ("vip", 0.008),
        ("press", 0.004), ("legal", 0.001))  # fmt: skip
KINDS = (("comment", 45), ("dm", 20), ("ad_comment", 12), ("mention", 10), ("review", 10),
         ("reply", 3))  # fmt: skip
CHUNK = 20_000  # conversations per transaction while loading
SEED = 20251125
SEEDED_TABLES = ("inbox_contact", "inbox_identity", "inbox_conversation", "inbox_message",
                 "inbox_conversationtag")  # fmt: skip


@dataclass
class Workspace:
    """What the seeding needs to know of the workspace made through the actions."""

    workspace_id: int
    channel_ids: list[int]
    agent_ids: list[int]
    tag_ids: dict[str, int]


@dataclass
class Seeded:
    conversations: int = 0
    messages: int = 0
    authors: int = 0
    tagged: dict[str, int] = field(default_factory=dict)
    open_by_tag: dict[str, int] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)


class Table:
    """INSERTs into one model's table with ``?`` placeholders: the given columns, then every
    other column at its field default (converted like the ORM would), so a field added
    to a model later needs no change here."""

    def __init__(self, model: Any, given: Sequence[str]):
        from django.db import connection

        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(given) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
        rest = [f for name, f in fields.items() if name not in given and not f.primary_key]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        columns = [fields[name].column for name in given] + [f.column for f in rest]
        self.table = model._meta.db_table
        self.sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(  # noqa: S608 (model names)
            self.table, ", ".join(f'"{c}"' for c in columns), ", ".join("?" * len(columns))
        )

    def insert(self, conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        defaults = self.defaults
        conn.executemany(self.sql, [row + defaults for row in rows])


def db_time(value: datetime) -> str:
    """A datetime as the app stores it in SQLite (Django: UTC, naive, ``str()``)."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _choices(rng: random.Random, pairs: Sequence[tuple[Any, float]], k: int) -> list[Any]:
    values = [v for v, _ in pairs]
    return rng.choices(values, cum_weights=list(accumulate(w for _, w in pairs)), k=k)


def _texts(channel_id: int, count: int) -> list[tuple[str, str]]:
    """A pool of believable message texts and their raw payloads, from the demo simulator."""
    from breakwater.connectors.demo.simulator import generate_items

    items = generate_items([channel_id], count, seed=SEED, start=END - timedelta(days=7), end=END)
    return [(item["text"] or "👍", json.dumps(item["raw"])) for item in items]


def _message_counts(rng: random.Random, messages: int) -> list[int]:
    counts: list[int] = []
    left = messages
    while left > 0:
        n = min(rng.randint(1, 9), left)
        counts.append(n)
        left -= n
    return counts


def _schema(conn: sqlite3.Connection, kind: str) -> list[tuple[str, str]]:
    """Names and SQL of the indexes or triggers on the seeded tables."""
    marks = ", ".join("?" * len(SEEDED_TABLES))
    return conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL "  # noqa: S608
        f"AND tbl_name IN ({marks})",
        (kind, *SEEDED_TABLES),
    ).fetchall()


def seed(path: Path, ws: Workspace, messages: int, progress: Any = print) -> Seeded:
    """Fill the database at ``path`` (migrated, with the workspace made) with ``messages``."""
    from breakwater.inbox.models import Contact, Conversation, ConversationTag, Identity, Message

    rng = random.Random(SEED)  # noqa: S311 (benchmark data, not security)
    counts = _message_counts(rng, messages)
    n_conv = len(counts)
    n_authors = max(20, n_conv // 3)
    texts = _texts(ws.channel_ids[0], 3000)
    contacts = Table(Contact, ("id", "workspace_id", "name", "created_at"))
    identities = Table(Identity, ("id", "workspace_id", "contact_id", "network", "external_id",
                                  "handle", "name"))  # fmt: skip
    conversations = Table(Conversation, (
        "id", "workspace_id", "channel_id", "network", "thread_key", "kind", "status", "priority",
        "assignee_id", "contact_id", "preview", "message_count", "first_inbound_at",
        "last_inbound_at", "first_response_at", "last_activity_at", "created_at", "updated_at",
    ))  # fmt: skip
    message_table = Table(Message, (
        "workspace_id", "conversation_id", "channel_id", "network", "external_id", "direction",
        "kind", "parent_external_id", "author_id", "sent_by_id", "text", "is_public",
        "created_at", "received_at", "delivery_state", "raw",
    ))  # fmt: skip
    ctags = Table(ConversationTag, ("conversation_id", "tag_id", "status", "last_activity_at",
                                      "created_at"))  # fmt: skip

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")  # a load we can redo; the bench measures reads
    conn.execute("PRAGMA cache_size = -262144")
    # Off during the load, back after it: indexes rebuilt in one sort each, and triggers
    # (the full-text index's) not run a million times. The full-text index stays empty:
    # no request this benchmark times reads it.
    indexes, triggers = _schema(conn, "index"), _schema(conn, "trigger")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')

    ws_id, start = ws.workspace_id, END - SPAN
    created = db_time(start)
    conn.execute("BEGIN")
    people = range(1, n_authors + 1)
    contacts.insert(conn, [(i, ws_id, f"Bench Person {i}", created) for i in people])
    identities.insert(
        conn, [(i, ws_id, i, "demo", f"u{i}", f"person{i}", f"Bench Person {i}") for i in people]
    )
    conn.execute("COMMIT")

    out = Seeded(authors=n_authors, tagged={t: 0 for t, _ in TAGS},
                 open_by_tag={t: 0 for t, _ in TAGS}, status={"open": 0, "pending": 0, "done": 0})
    channel_of = _choices(rng, [(c, w) for c, (_, w) in zip(ws.channel_ids, CHANNELS, strict=True)],
                          n_conv)
    kinds = _choices(rng, KINDS, n_conv)
    span_s = SPAN.total_seconds()
    for first in range(0, n_conv, CHUNK):
        conv_rows, msg_rows, tag_rows = [], [], []
        for k in range(first, min(first + CHUNK, n_conv)):
            conv_id = k + 1
            rows = _conversation(rng, k, conv_id, counts[k], n_conv, span_s, start,
                                 channel_of[k], kinds[k], rng.randrange(1, n_authors + 1),
                                 ws, texts, out)  # fmt: skip
            conv_rows.append(rows[0])
            msg_rows.extend(rows[1])
            tag_rows.extend(rows[2])
        conn.execute("BEGIN")
        conversations.insert(conn, conv_rows)
        message_table.insert(conn, msg_rows)
        ctags.insert(conn, tag_rows)
        conn.execute("COMMIT")
        out.conversations += len(conv_rows)
        out.messages += len(msg_rows)
        if progress and (first // CHUNK) % 10 == 9:
            progress(f"  seeded {out.messages:,} messages")
    if progress:
        progress(f"  rebuilding {len(indexes)} indexes")
    for _, sql in indexes + triggers:
        conn.execute(sql)
    problems = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
    if problems:
        raise RuntimeError(f"seeded rows break foreign keys: {problems}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return out


def _conversation(rng: random.Random, k: int, conv_id: int, n_msgs: int, n_conv: int,
                  span_s: float, start: datetime, channel_id: int, kind: str, author: int,
                  ws: Workspace, texts: list[tuple[str, str]], out: Seeded) -> tuple[Any, ...]:
    """One conversation's row, its message rows and its tag rows."""
    ws_id = ws.workspace_id
    begin = start + timedelta(seconds=span_s * (k + rng.random()) / n_conv)
    when, times, directions = begin, [], []
    for j in range(n_msgs):
        if j:
            when += timedelta(seconds=rng.expovariate(1 / 5400))  # ~1.5 h between messages
        times.append(when)
        directions.append("in" if j == 0 or rng.random() < 0.7 else "out")
    age_days = (END - times[-1]).total_seconds() / 86400
    status = (("open", 0.6), ("pending", 0.1), ("done", 0.3)) if age_days < 7 else (
        ("open", 0.12), ("pending", 0.03), ("done", 0.85))
    state = _choices(rng, status, 1)[0]
    out.status[state] += 1
    assignee = rng.choice(ws.agent_ids) if rng.random() < 0.4 else None
    thread_key = f"bench-{conv_id}"
    inbound = [t for t, d in zip(times, directions, strict=True) if d == "in"]
    messages: list[tuple[Any, ...]] = []
    response = None
    for j, (t, direction) in enumerate(zip(times, directions, strict=True)):
        text, raw = texts[rng.randrange(len(texts))]
        if direction == "out" and response is None:
            response = t
        messages.append((
            ws_id, conv_id, channel_id, "demo", f"{thread_key}-{j}", direction,
            kind if j == 0 or direction == "in" else "reply", "" if j == 0 else f"{thread_key}-0",
            author if direction == "in" else None,
            None if direction == "in" else assignee, text, kind != "dm", db_time(t), db_time(t),
            "received" if direction == "in" else "sent", raw,
        ))  # fmt: skip
    preview = messages[-1][10][:280]
    conv = (
        conv_id, ws_id, channel_id, "demo", thread_key, kind, state, 0, assignee, author,
        preview, n_msgs, db_time(inbound[0]), db_time(inbound[-1]),
        db_time(response) if response else None, db_time(times[-1]), db_time(begin),
        db_time(times[-1]),
    )  # fmt: skip
    tags = []
    for name, share in TAGS:
        if rng.random() < share:
            tags.append((conv_id, ws.tag_ids[name], state, db_time(times[-1]), db_time(begin)))
            out.tagged[name] += 1
            if state == "open":
                out.open_by_tag[name] += 1
    return conv, messages, tags


def conversation_ids(rng: random.Random, seeded: Seeded, count: int) -> Iterator[int]:
    """Random conversations to open (the seeded ids are 1..N)."""
    for _ in range(count):
        yield rng.randint(1, seeded.conversations)
