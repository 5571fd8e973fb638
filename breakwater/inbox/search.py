"""Full-text search over messages: one interface, SQLite FTS5 or PostgreSQL ``tsvector``.

What is indexed: ``Message.search_text`` (the lemmas/stems ingest stores, see
``analysis/lemmas.py``) and ``Message.text`` (the words as written). A query goes through
``analysis.lemmas.query_terms``, so "palaute" finds "palautteesta"; ``"exact phrase"`` matches
the written words in order; ``kahvi*`` matches any indexed word or lemma starting so.

- SQLite: an external-content FTS5 table over both columns (``unicode61 remove_diacritics 0``,
  so "ä" stays apart from "a"; prefix indexes for 3-5 letters), kept in step by triggers.
- PostgreSQL: a stored generated ``tsvector`` column (``'simple'`` config: the lemmas are
  already normalised; Snowball ``'finnish'`` would stem them a second time) with a GIN index.
  Both are created by migration 0003 on their own backend only.

The inbox list wants *conversations* with a matching message, newest activity first, one
keyset page at a time. Neither index can order by the conversation's activity, so the plan
is chosen per query by how often the query matches (TEXT-ANALYSIS.md section 4 measured the
naive newest-first PostgreSQL plan at p95 358 ms over 1 M rows, rare words being the worst):

- few matches (at most ``RARE_CAP`` in the workspace): read them all from the full-text
  index, and list the conversations they belong to (``pk IN (...)``): cost grows with the
  number of matches, which is small;
- many matches: walk the conversation index newest-first as without a query and keep each
  conversation that has a matching message (``EXISTS``); with matches that common, a page
  fills after a few hundred conversations.

The probe that decides costs at most ``RARE_CAP`` index reads, and its result *is* the
answer of the first branch.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from breakwater.analysis.lemmas import (
    Phrase,
    Query,
    Term,
    base_language,
    query_terms,
    satisfies,
    token_spans,
    tokenize,
    word_terms,
)

FTS_TABLE = "inbox_message_fts"
TSV_COLUMN = "search_tsv"
TSV_INDEX = "msg_search_tsv"
# Up to rare_cap() matching messages in a workspace, list their conversations directly;
# past it, walk conversations newest-first. bench search measures both sides of the line.
# RARE_CAP fixes the line (tests set 0 to force the walk); None computes it.
RARE_CAP: int | None = None
CAP_FACTOR = 35
MIN_RARE_CAP = 2_000
SNIPPET_CHARS = 160
# Messages read per conversation to find the one to quote in a snippet, newest first
# (when the probe did not already name it); past them the index is asked.
SNIPPET_SCAN = 8

# -- schema (used by migration 0003) -----------------------------------------------------------

SQLITE_TRIGGERS = {
    "inbox_message_fts_ai": f"""
        CREATE TRIGGER inbox_message_fts_ai AFTER INSERT ON inbox_message BEGIN
            INSERT INTO {FTS_TABLE}(rowid, search_text, text)
            VALUES (new.id, new.search_text, new.text);
        END""",
    "inbox_message_fts_ad": f"""
        CREATE TRIGGER inbox_message_fts_ad AFTER DELETE ON inbox_message BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text, text)
            VALUES ('delete', old.id, old.search_text, old.text);
        END""",
    # Only when an indexed column changes: status edits and the like leave the index alone.
    "inbox_message_fts_au": f"""
        CREATE TRIGGER inbox_message_fts_au AFTER UPDATE OF search_text, text ON inbox_message
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text, text)
            VALUES ('delete', old.id, old.search_text, old.text);
            INSERT INTO {FTS_TABLE}(rowid, search_text, text)
            VALUES (new.id, new.search_text, new.text);
        END""",
}

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        search_text, text,
        content='inbox_message', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='3 4 5'
    )""",
    *SQLITE_TRIGGERS.values(),
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    f"DROP TABLE IF EXISTS {FTS_TABLE}"
]

POSTGRES_CREATE = [
    # Both columns, so prefixes and "phrases" also meet the words as written.
    f"""ALTER TABLE inbox_message ADD COLUMN {TSV_COLUMN} tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, coalesce(search_text, '') || ' ' || coalesce(text, ''))
    ) STORED""",
    f"CREATE INDEX {TSV_INDEX} ON inbox_message USING gin ({TSV_COLUMN})",
]
POSTGRES_DROP = [
    f"DROP INDEX IF EXISTS {TSV_INDEX}",
    f"ALTER TABLE inbox_message DROP COLUMN IF EXISTS {TSV_COLUMN}",
]


def ensure_sqlite_index(db: Any) -> bool:
    """Put back the FTS5 triggers if a migration dropped them; True when it had to.

    SQLite applies many schema changes (adding any NOT NULL column, for one) by building a
    new ``inbox_message`` and renaming it into place, which silently drops the triggers on
    the old table: new messages would then never reach the index. Run after every
    ``migrate`` (``inbox/apps.py``); the index is rebuilt once when triggers were missing,
    since rows may have changed while they were gone.
    """
    if db.vendor != "sqlite":
        return False
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE]
        )
        if cursor.fetchone() is None:
            return False  # migration 0003 has not run yet
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
        missing = [sql for name, sql in SQLITE_TRIGGERS.items() if name not in present]
        for sql in missing:
            cursor.execute(sql)
        if missing:
            rebuild_sqlite_index(cursor)
    return bool(missing)


def rebuild_sqlite_index(cursor: Any) -> None:
    """Re-read every message into the FTS5 table (after a bulk load without triggers)."""
    cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


# -- compiling a parsed query ------------------------------------------------------------------


def fts5_expression(query: Query) -> str:
    """The FTS5 MATCH text; terms are letters and digits only, so quoting cannot break out."""
    parts = []
    for clause in query.clauses:
        if isinstance(clause, Phrase):
            # A phrase is the words as written, in order: the text column alone.
            parts.append('{text} : "' + " ".join(clause.words) + '"')
        elif clause.prefix:
            parts.append(f'"{clause.word}"*')
        else:
            parts.append("(" + " OR ".join(f'"{t}"' for t in clause.alternatives) + ")")
    return " AND ".join(parts)


def tsquery_text(query: Query) -> str:
    """The ``to_tsquery('simple', ...)`` text for PostgreSQL."""
    parts = []
    for clause in query.clauses:
        if isinstance(clause, Phrase):
            parts.append("(" + " <-> ".join(f"'{w}'" for w in clause.words) + ")")
        elif clause.prefix:
            parts.append(f"'{clause.word}':*")
        else:
            parts.append("(" + " | ".join(f"'{t}'" for t in clause.alternatives) + ")")
    return " & ".join(parts)


class _ColumnSQL(Func):
    """SQL around the compiled column of ``field`` (a correct alias even inside subqueries)."""

    output_field = BooleanField()
    conditional = True
    template_sql = ""

    def __init__(self, field: str, param: str) -> None:
        super().__init__(F(field))
        self.param = param

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        return self.render(column), [*params, self.param]

    def render(self, column: str) -> str:
        raise NotImplementedError


class _MessageMatches(_ColumnSQL):
    """PostgreSQL, on a message: ``search_tsv @@ tsquery``. The tsvector column is no model
    field, so the message table's alias (``U0`` in a subquery) is taken from its ``id``."""

    def render(self, column: str) -> str:
        table = column.rsplit(".", 1)[0] + "." if "." in column else ""
        return f"{table}{TSV_COLUMN} @@ to_tsquery('simple'::regconfig, %s)"


class _ConversationHasMatch(_ColumnSQL):
    """On a conversation: does one of its messages match? One index probe per message."""

    def render(self, column: str) -> str:
        if connection.vendor == "postgresql":
            return (
                f"EXISTS (SELECT 1 FROM inbox_message m WHERE m.conversation_id = {column} "
                f"AND m.{TSV_COLUMN} @@ to_tsquery('simple'::regconfig, %s))"
            )
        # The message first, then FTS5 asked about that one rowid. An "id IN (SELECT rowid
        # ... MATCH)" would read every match again for each conversation walked.
        return (
            f"EXISTS (SELECT 1 FROM inbox_message m CROSS JOIN {FTS_TABLE} f "
            f"ON f.rowid = m.id WHERE m.conversation_id = {column} AND {FTS_TABLE} MATCH %s)"
        )


# -- the interface -----------------------------------------------------------------------------


def parse(q: str | None) -> Query:
    return query_terms(q or "")


def _compiled(query: Query) -> str:
    return tsquery_text(query) if connection.vendor == "postgresql" else fts5_expression(query)


def rare_cap() -> int:
    """How many matches still count as few: ``CAP_FACTOR * sqrt(messages)``.

    Listing M matches costs about M index reads; walking costs about 1/density probes, so
    the two meet where M ~ sqrt(messages). bench search measured the factor on SQLite.
    """
    if RARE_CAP is not None:
        return RARE_CAP
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM inbox_message")
        top = cursor.fetchone()[0] or 0
    return max(MIN_RARE_CAP, int(CAP_FACTOR * math.sqrt(top)))


class Search:
    """One query in one workspace. Filters conversations, then quotes their messages."""

    def __init__(self, workspace_id: int, q: str | None) -> None:
        self.workspace_id = workspace_id
        self.query = parse(q)
        self.compiled = _compiled(self.query) if self.query else ""
        self._hits: dict[int, int] | None = None
        self._probed = False

    def __bool__(self) -> bool:
        return bool(self.query)

    def hits(self) -> dict[int, int] | None:
        """Newest matching message id of each matching conversation; None if too many."""
        if not self._probed:
            self._probed = True
            self._hits = self._probe(rare_cap())
        return self._hits

    def _probe(self, cap: int) -> dict[int, int] | None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT id, conversation_id FROM inbox_message WHERE workspace_id = %s "  # noqa: S608
                    f"AND {TSV_COLUMN} @@ to_tsquery('simple'::regconfig, %s) LIMIT %s",
                    [self.workspace_id, self.compiled, cap + 1],
                )
            else:
                # Counting in the index alone costs ~0.05 us a match, reading each message's
                # conversation ~1 us: count first, so a common word is sent to the walk cheaply.
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "  # noqa: S608
                    f"WHERE {FTS_TABLE} MATCH %s LIMIT %s)",
                    [self.compiled, cap + 1],
                )
                if cursor.fetchone()[0] > cap:
                    return None
                # FTS first (CROSS JOIN fixes the order in SQLite), then each message by rowid.
                cursor.execute(
                    f"SELECT m.id, m.conversation_id FROM {FTS_TABLE} f "  # noqa: S608
                    f"CROSS JOIN inbox_message m ON m.id = f.rowid "
                    f"WHERE {FTS_TABLE} MATCH %s AND m.workspace_id = %s LIMIT %s",
                    [self.compiled, self.workspace_id, cap + 1],
                )
            rows = cursor.fetchall()
        if len(rows) > cap:
            return None
        hits: dict[int, int] = {}
        for message_id, conv_id in rows:
            if message_id > hits.get(conv_id, 0):
                hits[conv_id] = message_id
        return hits

    def filter(self, qs: QuerySet) -> QuerySet:
        """``qs`` (conversations of the workspace) narrowed to those with a matching message."""
        if not self.query:
            return qs
        hits = self.hits()
        if hits is not None:
            return qs.filter(pk__in=_id_list(list(hits)))
        return qs.filter(_ConversationHasMatch("pk", self.compiled))

    def snippets(self, conversation_ids: Sequence[int]) -> dict[int, SafeString]:
        """For each conversation, a snippet of its newest matching message."""
        from breakwater.inbox.models import Message

        if not self.query or not conversation_ids:
            return {}
        hits = self.hits()
        if hits is not None:
            wanted = [hits[c] for c in conversation_ids if c in hits]
        else:
            wanted = _newest_message_ids(conversation_ids, SNIPPET_SCAN)
        rows = Message.objects.filter(pk__in=wanted).order_by("-pk").values_list(
            "conversation_id", "text", "search_text", "language"
        )
        found: dict[int, SafeString] = {}
        for conv_id, text, search_text, language in rows:
            if conv_id not in found and indexed_match(self.query, text, search_text):
                found[conv_id] = snippet(text, self.query, language)
        for conv_id in conversation_ids:
            if conv_id not in found and (row := self._newest_match(conv_id)) is not None:
                found[conv_id] = snippet(row[0], self.query, row[1])
        return found

    def _newest_match(self, conversation_id: int) -> tuple[str, str] | None:
        """A long thread whose newest SNIPPET_SCAN messages do not match: ask the index."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT text, language FROM inbox_message WHERE conversation_id = %s "  # noqa: S608
                    f"AND {TSV_COLUMN} @@ to_tsquery('simple'::regconfig, %s) "
                    f"ORDER BY id DESC LIMIT 1",
                    [conversation_id, self.compiled],
                )
            else:
                # Only reached when the query matches often (the walk): the thread's messages
                # newest first, FTS5 asked about each rowid, stops at the first match.
                cursor.execute(
                    f"SELECT m.text, m.language FROM inbox_message m "  # noqa: S608
                    f"CROSS JOIN {FTS_TABLE} f ON f.rowid = m.id "
                    f"WHERE m.conversation_id = %s AND {FTS_TABLE} MATCH %s "
                    f"ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
                    [conversation_id, self.compiled],
                )
            return cursor.fetchone()


def _id_list(ids: list[int]) -> RawSQL:
    """Many ids as one parameter: no limit on SQL variables, no per-value ORM work."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))


def _newest_message_ids(conversation_ids: Sequence[int], per_conversation: int) -> list[int]:
    """The newest message ids of each conversation, read from the index alone."""
    marks = ", ".join(["%s"] * len(conversation_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY conversation_id "  # noqa: S608
            f"ORDER BY id DESC) AS n FROM inbox_message WHERE conversation_id IN ({marks})) "
            f"AS newest WHERE n <= %s",
            [*conversation_ids, per_conversation],
        )
        return [r[0] for r in cursor.fetchall()]


def message_filter(query: Query) -> Q:
    """Messages that match ``query`` (for a ``Message`` queryset)."""
    if connection.vendor == "postgresql":
        return Q(_MessageMatches("id", tsquery_text(query)))
    return Q(
        pk__in=RawSQL(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            (fts5_expression(query),),
        )
    )


# -- snippets ----------------------------------------------------------------------------------


def indexed_match(query: Query, text: str, search_text: str) -> bool:
    """Whether a stored message matches, by what the database indexed for it."""
    words = tokenize(text)
    return satisfies(query, words, {*words, *search_text.split()})


def _is_hit(word: str, language: str, terms: frozenset[str], prefixes: Sequence[str]) -> bool:
    candidates = (word, *word_terms(word, language))
    if any(c in terms for c in candidates):
        return True
    return any(c.startswith(p) for c in candidates for p in prefixes)


def snippet(text: str, query: Query, language: str | None = None,
            width: int = SNIPPET_CHARS) -> SafeString:
    """HTML: an escaped window of ``text`` around the first hit, each hit in ``<mark>``."""
    lang = base_language(language)
    terms, prefixes = query.highlight_terms()
    hits = [(a, b) for a, b, w in token_spans(text) if _is_hit(w, lang, terms, prefixes)]
    start = 0
    if hits and hits[0][0] > width // 3:
        start = text.rfind(" ", 0, hits[0][0] - width // 4) + 1
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), hits[0][1] if hits and hits[0][1] <= end else end)
    out, pos = [], start
    for a, b in hits:
        if a < pos or b > end:
            continue
        out += [html.escape(text[pos:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        pos = b
    out.append(html.escape(text[pos:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(out).strip() + suffix)  # noqa: S308 -- every piece escaped


__all__ = [
    "Phrase",
    "Query",
    "Search",
    "Term",
    "fts5_expression",
    "message_filter",
    "parse",
    "snippet",
    "tsquery_text",
]
