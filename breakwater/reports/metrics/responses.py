"""Response metrics: response rate, first response times, replies and response times per
agent, backlog over time and SLA attainment. All from the messages (see ``scope``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from breakwater.reports.metrics.base import (
    Filters,
    Metric,
    Result,
    daily,
    day_of,
    db_param,
    epoch,
    fetch,
    local_day_number,
    fetch_parts,
    metric,
    percentile_sql,
)
from breakwater.reports.metrics.scope import (
    MESSAGE,
    business_calendar,
    durations_sql,
    inbound,
    message_where,
    response,
    waits_sql,
)

WAIT_DEFINITION = """A wait starts at a conversation's first unanswered inbound message (the
first inbound message, not spam, after the brand's last response, or the conversation's first
message) and ends at the next outbound message: a reply sent from Breakwater or one made in
the network's own app and ingested as an outbound item; a reply held for approval, blocked or
failed does not end it. Waits are counted on the local day they started (workspace time
zone), by the messages' network timestamps."""
BUSINESS = """With business hours set for the workspace (Business hours page) only open time
counts (closed days, nights, weekends and holidays do not); without, wall-clock seconds."""


@metric(
    "response_rate", _("Response rate"), "ratio",
    """The share of conversations with inbound messages in the period that got a reply:
    conversations with at least one inbound message (not spam) created in the period, and of
    those the ones with a response (an outbound message, not held for approval, blocked or
    failed) created after their first inbound message of the period, at any time up to now.
    Null when no conversation had inbound messages. The series is per local day of that
    first inbound message.""",
)
def response_rate(m: Metric, filters: Filters) -> Result:
    lo, hi = filters.bounds
    where, params = message_where(filters)
    day = local_day_number(epoch("f.first_at"), filters, lo, hi)
    rows = fetch(
        f"""SELECT {day} AS d, COUNT(*),
               SUM(CASE WHEN EXISTS (SELECT 1 FROM {MESSAGE} o WHERE o.conversation_id = f.cid
                   AND {response("o")} AND o.created_at > f.first_at) THEN 1 ELSE 0 END)
            FROM (SELECT m.conversation_id AS cid, MIN(m.created_at) AS first_at FROM {MESSAGE} m
                  WHERE {where} AND {inbound()} AND m.created_at >= %s AND m.created_at < %s
                  GROUP BY m.conversation_id) f
            GROUP BY d""",
        [*params, db_param(lo), db_param(hi)],
    )
    total = sum(n for _, n, _ in rows)
    answered = sum(a or 0 for _, _, a in rows)
    per_day = {day_of(d): (a or 0) / n for d, n, a in rows}
    return m.result(
        answered / total if total else None, daily(filters, per_day, None),
        rows=[{"conversations": total, "answered": answered}],
    )


def _percentile(m: Metric, filters: Filters, q: float) -> Result:
    lo, hi = filters.bounds
    cal = business_calendar(filters.workspace_id)
    with_sql, params = durations_sql(filters, lo, hi, cal)
    parts = fetch_parts(with_sql, {
        "all": percentile_sql("SELECT v FROM dur", (q,)),
        "day": percentile_sql("SELECT d, v FROM dur", (q,), partition="d"),
    }, params)  # fmt: skip
    value = parts["all"][0][2]
    series = daily(filters, {day_of(d): v for d, _, v in parts["day"]}, None)
    return m.result(value, series, rows=[{"business_hours": cal is not None}])


@metric(
    "first_response_time", _("First response time (median)"), "seconds",
    f"""The median, in seconds, over the waits that started in the period and have been
    answered, of the time from the wait's first unanswered inbound message to the next
    outbound message. {WAIT_DEFINITION} {BUSINESS} The median of an even number of waits is
    the mean of the middle two. Null when no wait was answered.""",
)
def first_response_time(m: Metric, filters: Filters) -> Result:
    return _percentile(m, filters, 0.5)


@metric(
    "first_response_time_p90", _("First response time (90th percentile)"), "seconds",
    f"""The 90th percentile of the times of first_response_time (the same waits): 90 % of
    the answered waits were answered within it. Linear between the closest ranks: with n
    times sorted ascending, position 0.9 x (n - 1) counted from 0 (PostgreSQL's
    percentile_cont). {BUSINESS}""",
)
def first_response_time_p90(m: Metric, filters: Filters) -> Result:
    return _percentile(m, filters, 0.9)


@metric(
    "agent_response_times", _("Response times per agent"), "seconds",
    f"""Per team member who sent the response that ended a wait (as in first_response_time):
    the number of waits they ended, and the median and 90th percentile of those waits'
    times. Responses made outside Breakwater (outbound items without a sender) form one row
    with agent null. The value is the median over all rows. {BUSINESS}""",
    shape="table",
)
def agent_response_times(m: Metric, filters: Filters) -> Result:
    from breakwater.core.models import User

    lo, hi = filters.bounds
    cal = business_calendar(filters.workspace_id)
    with_sql, params = durations_sql(filters, lo, hi, cal)
    agent = "SELECT COALESCE(answered_by, 0) AS a, v FROM dur"
    overall = percentile_sql("SELECT v FROM dur", (0.5,))
    parts = fetch_parts(with_sql, {
        "agent": percentile_sql(agent, (0.5, 0.9), partition="a"),  # a, n, median, p90
        "all": f"SELECT p, n, value_0, CAST(NULL AS FLOAT) FROM ({overall}) o",
    }, params)  # fmt: skip
    agents = parts["agent"]
    ids = [a for a, *_ in agents if a]
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))
    rows = sorted(
        ({"agent": a or None, "email": names.get(a, ""), "waits": n,
          "median_seconds": median, "p90_seconds": p90}
         for a, n, median, p90 in agents),
        key=lambda r: (-r["waits"], r["email"]),
    )  # fmt: skip
    return m.result(parts["all"][0][2], [], rows=rows,
                    columns=["agent", "email", "waits", "median_seconds", "p90_seconds"])


@metric(
    "replies_per_agent", _("Replies per agent"), "count",
    """Outbound messages (responses: not held for approval, blocked or failed) created in the
    period, per team member who sent them; imported replies and replies made in the network's
    own app have no sender and form one row with agent null. With a member filter, only that
    member's replies. The value is the total, the series the total per local day.""",
    shape="table",
)
def replies_per_agent(m: Metric, filters: Filters) -> Result:
    from breakwater.core.models import User

    lo, hi = filters.bounds
    where, params = message_where(filters, member="sender")
    day = local_day_number(epoch("m.created_at"), filters, lo, hi)
    rows = fetch(
        f"SELECT {day} AS d, COALESCE(m.sent_by_id, 0) AS a, COUNT(*) FROM {MESSAGE} m "
        f"WHERE {where} AND {response()} AND m.created_at >= %s AND m.created_at < %s "
        f"GROUP BY d, a",
        [*params, db_param(lo), db_param(hi)],
    )
    per_day: dict[Any, int] = {}
    per_agent: dict[int, int] = {}
    for d, a, n in rows:
        per_day[day_of(d)] = per_day.get(day_of(d), 0) + n
        per_agent[a] = per_agent.get(a, 0) + n
    names = dict(User.objects.filter(pk__in=[a for a in per_agent if a]).values_list("pk", "email"))
    table = sorted(
        ({"agent": a or None, "email": names.get(a, ""), "replies": n} for a, n in per_agent.items()),
        key=lambda r: (-r["replies"], r["email"]),
    )
    return m.result(sum(per_agent.values()), daily(filters, per_day), rows=table,
                    columns=["agent", "email", "replies"])


BACKLOG_LOOKBACK_DAYS = 30


@metric(
    "backlog", _("Backlog (waiting for a response)"), "count",
    f"""Conversations waiting for a response at the end of each local day: waits (as in
    first_response_time) started before the end of the day and not answered by then. Waits
    that started more than {BACKLOG_LOOKBACK_DAYS} days before the period are not counted.
    The value is the backlog at the end of the period's last day.""",
)
def backlog(m: Metric, filters: Filters) -> Result:
    lo, hi = filters.bounds
    since = lo - timedelta(days=BACKLOG_LOOKBACK_DAYS)
    waits, params = waits_sql(filters, since, hi)
    # Backlog at a day's end = waiting at the period's start + asks so far - answers so far:
    # one grouped pass, then a running sum over the days.
    asked_day = local_day_number("asked_s", filters, lo, hi)
    answered_day = local_day_number("answered_s", filters, lo, hi)
    lo_p, hi_p = db_param(lo), db_param(hi)
    rows = fetch(
        f"""WITH w AS MATERIALIZED ({waits})
            SELECT 'start', 0, COUNT(*) FROM w
                WHERE asked < %s AND (answered IS NULL OR answered >= %s)
            UNION ALL SELECT 'ask', {asked_day}, COUNT(*) FROM w WHERE asked >= %s
                GROUP BY {asked_day}
            UNION ALL SELECT 'answer', {answered_day}, COUNT(*) FROM w
                WHERE answered >= %s AND answered < %s GROUP BY {answered_day}""",
        [*params, lo_p, lo_p, lo_p, lo_p, hi_p],
    )
    start = sum(n for kind, _, n in rows if kind == "start")
    change: dict[Any, int] = {}
    for kind, d, n in rows:
        if kind != "start":
            change[day_of(d)] = change.get(day_of(d), 0) + (n if kind == "ask" else -n)
    series, level = [], start
    for d in filters.days:
        level += change.get(d, 0)
        series.append({"date": d.isoformat(), "value": level})
    return m.result(series[-1]["value"], series)
