"""The bench inbox of ``seed.py`` on PostgreSQL: the same rows from the same seeded random
generator (``seed._conversation``), written with COPY instead of SQLite's executemany."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from breakwater.bench import seed


def _copy(cursor: Any, table: seed.Table, rows: Sequence[tuple[Any, ...]]) -> None:
    columns = table.sql.split("(", 1)[1].split(")", 1)[0]
    with cursor.copy(f'COPY "{table.table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(_plain(v) for v in row + table.defaults))


def _plain(value: Any) -> Any:
    """Values as COPY's text format takes them (Django's JSON adapters to their text)."""
    obj = getattr(value, "obj", None)
    if obj is not None or type(value).__name__ in ("Jsonb", "Json"):
        import json

        return json.dumps(obj)
    return value


def seed_postgres(ws: seed.Workspace, messages: int, progress: Any = print) -> seed.Seeded:
    from django.db import connection, transaction

    from breakwater.inbox.models import Contact, Conversation, ConversationTag, Identity, Message

    rng = random.Random(seed.SEED)  # noqa: S311 (benchmark data, not security)
    counts = seed._message_counts(rng, messages)
    n_conv = len(counts)
    n_authors = max(20, n_conv // 3)
    texts = seed._texts(ws.channel_ids[0], 3000)
    contacts = seed.Table(Contact, ("id", "workspace_id", "name", "created_at"))
    identities = seed.Table(Identity, ("id", "workspace_id", "contact_id", "network",
                                       "external_id", "handle", "name"))  # fmt: skip
    conversations = seed.Table(Conversation, (
        "id", "workspace_id", "channel_id", "network", "thread_key", "kind", "status", "priority",
        "assignee_id", "contact_id", "preview", "message_count", "first_inbound_at",
        "last_inbound_at", "first_response_at", "last_activity_at", "created_at", "updated_at",
    ))  # fmt: skip
    message_table = seed.Table(Message, (
        "workspace_id", "conversation_id", "channel_id", "network", "external_id", "direction",
        "kind", "parent_external_id", "author_id", "sent_by_id", "text", "is_public",
        "created_at", "received_at", "delivery_state", "raw",
    ))  # fmt: skip
    ctags = seed.Table(ConversationTag, ("conversation_id", "tag_id", "status",
                                         "last_activity_at", "created_at"))  # fmt: skip
    ws_id, start = ws.workspace_id, seed.END - seed.SPAN
    created = seed.db_time(start)
    out = seed.Seeded(authors=n_authors, tagged={t: 0 for t, _ in seed.TAGS},
                      open_by_tag={t: 0 for t, _ in seed.TAGS},
                      status={"open": 0, "pending": 0, "done": 0})  # fmt: skip
    people = range(1, n_authors + 1)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        _copy(cursor, contacts, [(i, ws_id, f"Bench Person {i}", created) for i in people])
        _copy(cursor, identities, [(i, ws_id, i, "demo", f"u{i}", f"person{i}",
                                    f"Bench Person {i}") for i in people])  # fmt: skip
    pairs = [(c, w) for c, (_, w) in zip(ws.channel_ids, seed.CHANNELS, strict=True)]
    channel_of = seed._choices(rng, pairs, n_conv)
    kinds = seed._choices(rng, seed.KINDS, n_conv)
    span_s = seed.SPAN.total_seconds()
    for first in range(0, n_conv, seed.CHUNK):
        conv_rows, msg_rows, tag_rows = [], [], []
        for k in range(first, min(first + seed.CHUNK, n_conv)):
            rows = seed._conversation(rng, k, k + 1, counts[k], n_conv, span_s, start,
                                      channel_of[k], kinds[k], rng.randrange(1, n_authors + 1),
                                      ws, texts, out)  # fmt: skip
            conv_rows.append(rows[0])
            msg_rows.extend(rows[1])
            tag_rows.extend(rows[2])
        with transaction.atomic(), connection.cursor() as wrapper:
            cursor = wrapper.cursor
            _copy(cursor, conversations, conv_rows)
            _copy(cursor, message_table, msg_rows)
            _copy(cursor, ctags, tag_rows)
        out.conversations += len(conv_rows)
        out.messages += len(msg_rows)
        if progress and (first // seed.CHUNK) % 10 == 9:
            progress(f"  seeded {out.messages:,} messages")
    with connection.cursor() as cursor:
        for table in ("inbox_contact", "inbox_identity", "inbox_conversation"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f"(SELECT MAX(id) FROM {table}))")  # fmt: skip
    return out
