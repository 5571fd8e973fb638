"""What people write about: sentiment share and trend, tags, feedback categories, questions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from breakwater.inbox.models import Tag
from breakwater.reports.metrics.base import (
    Filters,
    Metric,
    Result,
    daily,
    day_of,
    db_param,
    epoch,
    fetch,
    greatest,
    is_postgres,
    least,
    local_day_number,
    metric,
)
from breakwater.reports.metrics.scope import CONVERSATION_TAG, MESSAGE, inbound, message_where

SENTIMENTS = ("positive", "neutral", "negative")


def _scored(filters: Filters) -> tuple[str, list[Any]]:
    lo, hi = filters.bounds
    where, params = message_where(filters)
    return (
        f"{where} AND {inbound()} AND m.sentiment <> '' AND m.created_at >= %s "
        f"AND m.created_at < %s",
        [*params, db_param(lo), db_param(hi)],
    )


def _sentiment_counts(filters: Filters) -> dict[Any, dict[str, int]]:
    where, params = _scored(filters)
    lo, hi = filters.bounds
    day = local_day_number(epoch("m.created_at"), filters, lo, hi)
    out: dict[Any, dict[str, int]] = {}
    for d, sentiment, n in fetch(
        f"SELECT {day} AS d, m.sentiment, COUNT(*) FROM {MESSAGE} m WHERE {where} "
        f"GROUP BY d, m.sentiment",
        params,
    ):
        out.setdefault(day_of(d), dict.fromkeys(SENTIMENTS, 0))[sentiment] = n
    return out


@metric(
    "sentiment_share", _("Positive sentiment share"), "ratio",
    """Of the inbound messages (not spam) created in the period that have a sentiment (scored
    by the analysis worker or corrected by a person), the share that is positive. The rows
    give the count and share of each of positive, neutral and negative. Null when no message
    was scored. The series is the positive share per local day.""",
    shape="table",
)
def sentiment_share(m: Metric, filters: Filters) -> Result:
    counts = _sentiment_counts(filters)
    totals = {s: sum(day[s] for day in counts.values()) for s in SENTIMENTS}
    scored = sum(totals.values())
    rows = [{"sentiment": s, "count": totals[s], "share": totals[s] / scored if scored else None}
            for s in SENTIMENTS]  # fmt: skip
    per_day = {d: c["positive"] / sum(c.values()) for d, c in counts.items() if sum(c.values())}
    return m.result(totals["positive"] / scored if scored else None,
                    daily(filters, per_day, None), rows=rows,
                    columns=["sentiment", "count", "share"])  # fmt: skip


@metric(
    "sentiment_trend", _("Net sentiment"), "ratio",
    """Net sentiment of the scored inbound messages (as in sentiment_share): (positive -
    negative) / scored, from -1 (all negative) to 1 (all positive), over the period and per
    local day; the rows give each day's counts.""",
    shape="table",
)
def sentiment_trend(m: Metric, filters: Filters) -> Result:
    counts = _sentiment_counts(filters)
    pos = sum(c["positive"] for c in counts.values())
    neg = sum(c["negative"] for c in counts.values())
    scored = sum(sum(c.values()) for c in counts.values())
    per_day = {d: (c["positive"] - c["negative"]) / sum(c.values()) for d, c in counts.items()}
    rows = [{"date": d.isoformat(), **counts.get(d, dict.fromkeys(SENTIMENTS, 0))}
            for d in filters.days]  # fmt: skip
    return m.result((pos - neg) / scored if scored else None, daily(filters, per_day, None),
                    rows=rows, columns=["date", *SENTIMENTS])  # fmt: skip


@metric(
    "top_tags", _("Top tags"), "count",
    """Tags of the conversations that had inbound messages (not spam) in the period: per tag
    the number of such conversations, most first (top 20). The value is the number of
    conversations with inbound messages in the period that carry any tag.""",
    shape="table",
)
def top_tags(m: Metric, filters: Filters) -> Result:
    lo, hi = filters.bounds
    where, params = message_where(filters)
    conversations = (
        f"SELECT DISTINCT m.conversation_id FROM {MESSAGE} m WHERE {where} AND {inbound()} "
        f"AND m.created_at >= %s AND m.created_at < %s"
    )
    params = [*params, db_param(lo), db_param(hi)]
    rows = fetch(
        f"SELECT ct.tag_id, COUNT(*) AS n FROM {CONVERSATION_TAG} ct WHERE ct.conversation_id "
        f"IN ({conversations}) GROUP BY ct.tag_id ORDER BY n DESC, ct.tag_id LIMIT 20",
        params,
    )
    tagged = fetch(
        f"SELECT COUNT(DISTINCT ct.conversation_id) FROM {CONVERSATION_TAG} ct "
        f"WHERE ct.conversation_id IN ({conversations})",
        params,
    )[0][0]
    names = dict(Tag.objects.filter(pk__in=[t for t, _ in rows]).values_list("pk", "name"))
    table = [{"tag": t, "name": names.get(t, ""), "conversations": n} for t, n in rows]
    return m.result(tagged, [], rows=table, columns=["tag", "name", "conversations"])


@metric(
    "feedback_categories", _("Feedback by category"), "count",
    """Messages filed as feedback (the Feedback page) in the period, by when they were
    filed, per category, most first; channel, network, tag and member (the conversation's
    assignee) filters apply to the message filed. The value is the total.""",
    shape="table",
)
def feedback_categories(m: Metric, filters: Filters) -> Result:
    from breakwater.feedback.models import Category, Feedback

    lo, hi = filters.bounds
    where, params = message_where(filters)
    rows = fetch(
        f"SELECT f.category_id, COUNT(*) AS n FROM {Feedback._meta.db_table} f "
        f"JOIN {MESSAGE} m ON m.id = f.message_id WHERE f.workspace_id = %s AND {where} "
        f"AND f.created_at >= %s AND f.created_at < %s GROUP BY f.category_id "
        f"ORDER BY n DESC, f.category_id",
        [filters.workspace_id, *params, db_param(lo), db_param(hi)],
    )
    names = dict(Category.objects.filter(pk__in=[c for c, _ in rows]).values_list("pk", "name"))
    table = [{"category": c, "name": names.get(c, ""), "count": n} for c, n in rows]
    return m.result(sum(n for _, n in rows), [], rows=table,
                    columns=["category", "name", "count"])  # fmt: skip


def _keyword(index: int) -> str:
    if is_postgres():
        return f"(m.keywords::jsonb ->> {index})"
    return f"json_extract(m.keywords, '$[{index}]')"


def _asks() -> str:
    """An inbound, not spam message with a question mark: the condition of the partial index
    ``msg_questions`` as Django writes it (a database uses a partial index only for a query
    that repeats its condition; SQLite's LIKE carries an ESCAPE there)."""
    escape = "" if is_postgres() else " ESCAPE '\\'"
    return f"m.direction = 'in' AND NOT m.is_spam AND m.text LIKE '%%?%%'{escape}"


@metric(
    "top_questions", _("Top questions"), "count",
    """Inbound messages (not spam) in the period that ask something (their text has a
    question mark), grouped by their two leading keywords (base forms from the analysis,
    e.g. "toimitus" and "paketti", in either order; a message with one keyword forms a
    group of its own): the ten biggest groups, each with its count and the newest question
    as an example. The value is the number of questions.""",
    shape="table",
)
def top_questions(m: Metric, filters: Filters) -> Result:
    lo, hi = filters.bounds
    where, params = message_where(filters)
    k0, k1 = _keyword(0), _keyword(1)
    first = f"COALESCE({least(k0, f'COALESCE({k1}, {k0})')}, '')"
    second = f"COALESCE({greatest(k0, k1)}, '')"
    questions = (
        f"SELECT m.id, m.text, m.created_at, {first} AS a, {second} AS b FROM {MESSAGE} m "
        f"WHERE {where} AND {_asks()} "
        f"AND m.created_at >= %s AND m.created_at < %s"
    )
    # One pass over the period's messages: the groups once, then the total over them and
    # the ten biggest (the keyword-less group counts in the total only).
    rows = fetch(
        f"WITH q AS ({questions}), g AS MATERIALIZED (SELECT a, b, COUNT(*) AS n, "
        f"MAX(id) AS last FROM q GROUP BY a, b) "
        f"SELECT part, a, b, n, last FROM ("
        f"SELECT 0 AS part, '' AS a, '' AS b, COALESCE(SUM(n), 0) AS n, 0 AS last FROM g "
        f"UNION ALL SELECT * FROM (SELECT 1, a, b, n, last FROM g WHERE a <> '' "
        f"ORDER BY n DESC, a, b LIMIT 10) top) parts ORDER BY part, n DESC, a, b",
        [*params, db_param(lo), db_param(hi)],
    )
    total = int(rows[0][3])  # SUM is a numeric on PostgreSQL
    groups = [row[1:] for row in rows[1:]]
    from breakwater.inbox.models import Message

    examples = dict(Message.objects.filter(pk__in=[g[3] for g in groups]).values_list("pk", "text"))
    table = [{"keywords": " + ".join(k for k in (a, b) if k), "count": n,
              "example": examples.get(last, "")[:280], "message": last}
             for a, b, n, last in groups]  # fmt: skip
    return m.result(total, [], rows=table, columns=["keywords", "count", "example", "message"])
