"""Drill-down: the conversations behind a figure, for the dashboards' links to the inbox."""

from __future__ import annotations

from datetime import date, timedelta

from breakwater.reports.metrics.base import METRICS, Filters, db_param, fetch
from breakwater.reports.metrics.resolution import AUDIT, _status
from breakwater.reports.metrics.scope import conversation_where
from breakwater.reports.metrics.scope import (
    CONVERSATION,
    MESSAGE,
    inbound,
    message_where,
    response,
    waits_sql,
)

# Which messages stand behind each metric: "in" (inbound in the period), "out" (responses
# in the period), "waiting" (waits started in the period and still unanswered), "resolved".
BEHIND = {
    "replies_per_agent": "out",
    "backlog": "waiting",
    "resolution_time": "resolved",
}
DEFAULT_LIMIT = 500


def conversations_behind(key: str, filters: Filters, day: date | None = None,
                         limit: int = DEFAULT_LIMIT) -> list[int]:
    """Ids of the conversations a metric counted (newest activity first, at most ``limit``),
    over the whole period or one local ``day`` of it. Raises KeyError for an unknown key."""
    if key not in METRICS:
        raise KeyError(key)
    if day is not None:
        filters = Filters(filters.workspace_id, day, day, filters.channel_id, filters.network,
                          filters.tag_id, filters.member_id, filters.timezone)  # fmt: skip
    lo, hi = filters.bounds
    what = BEHIND.get(key, "in")
    if what == "resolved":
        where, params = conversation_where(filters)
        sql = (
            f"SELECT DISTINCT a.target_id FROM {AUDIT} a JOIN {CONVERSATION} c ON c.id = a.target_id "
            f"WHERE a.workspace_id = %s AND a.action = 'conversation.updated' "
            f"AND a.target_type = 'conversation' AND {_status('a.data')} = 'done' "
            f"AND a.created_at >= %s AND a.created_at < %s AND {where}"
        )
        params = [filters.workspace_id, db_param(lo), db_param(hi), *params]
    elif what == "waiting":
        waits, params = waits_sql(filters, lo - timedelta(days=30), hi)
        sql = f"SELECT DISTINCT conversation_id FROM ({waits}) w WHERE answered IS NULL"
    else:
        where, params = message_where(filters, member="sender" if what == "out" else "assignee")
        kind = response() if what == "out" else inbound()
        sql = (
            f"SELECT DISTINCT m.conversation_id FROM {MESSAGE} m WHERE {where} AND {kind} "
            f"AND m.created_at >= %s AND m.created_at < %s"
        )
        params = [*params, db_param(lo), db_param(hi)]
    rows = fetch(
        f"SELECT c.id FROM {CONVERSATION} c WHERE c.id IN ({sql}) "
        f"ORDER BY c.last_activity_at DESC, c.id DESC LIMIT %s",
        [*params, int(limit)],
    )
    return [r[0] for r in rows]
