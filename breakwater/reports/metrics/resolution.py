"""Resolution time and SLA attainment."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import AuditLog
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
    local_day_number,
    fetch_parts,
    metric,
    percentile_sql,
)
from breakwater.reports.metrics.scope import (
    CONVERSATION,
    MESSAGE,
    business_calendar,
    business_seconds,
    conversation_where,
    inbound,
    waits_sql,
)

AUDIT = AuditLog._meta.db_table


def _status(column: str) -> str:
    return f"({column}->>'status')" if is_postgres() else f"json_extract({column}, '$.status')"


@metric(
    "resolution_time", _("Resolution time (median)"), "seconds",
    """The median, in seconds, over the resolutions in the period, of the time from the first
    inbound message (not spam) of the resolved round to the resolution. A resolution is a
    person or rule marking the conversation done (the audit log's conversation.updated with
    status done) at a time in the period. Its round starts after the conversation's previous
    resolution: a conversation reopened twice by new messages and closed three times has
    three resolutions, each measured from the first message after the one before. A
    resolution with no inbound message since the previous one (closed again without anything
    new) is not counted. Wall-clock time. Null when nothing was resolved.""",
)
def resolution_time(m: Metric, filters: Filters) -> Result:
    lo, hi = filters.bounds
    # The audit rows are the workspace's: the conversation is read only to narrow by it.
    narrowed = bool(filters.network) or any(
        v is not None for v in (filters.channel_id, filters.tag_id, filters.member_id))
    where, params = conversation_where(filters) if narrowed else ("", [])
    conversation = f" JOIN {CONVERSATION} c ON c.id = r.cid WHERE {where}" if narrowed else ""
    day = local_day_number(epoch("x.at"), filters, lo, hi)
    done = (f"a.action = 'conversation.updated' AND a.target_type = 'conversation' "
            f"AND {_status('a.data')} = 'done'")
    # The period's resolutions (audit_ws_time), each with the one before it (audit_target),
    # then the first message of each round (msg_conv_report). Each step materialized: else
    # both databases fold it into the next one and run its subquery twice per resolution.
    resolved = f"""
        WITH r AS MATERIALIZED (
            SELECT a.target_id AS cid, a.created_at AS at, (
                SELECT MAX(b.created_at) FROM {AUDIT} b
                WHERE b.target_type = 'conversation' AND b.target_id = a.target_id
                    AND b.action = 'conversation.updated' AND {_status("b.data")} = 'done'
                    AND b.created_at < a.created_at
            ) AS prev
            FROM {AUDIT} a
            WHERE a.workspace_id = %s AND a.created_at >= %s AND a.created_at < %s AND {done}
        ), x AS MATERIALIZED (
            SELECT r.at, (SELECT MIN(m.created_at) FROM {MESSAGE} m
                WHERE m.conversation_id = r.cid AND {inbound()}
                AND (r.prev IS NULL OR m.created_at > r.prev) AND m.created_at <= r.at
            ) AS started
            FROM r{conversation}
        ), dur AS MATERIALIZED (
            SELECT {day} AS d, {epoch("x.at")} - {epoch("x.started")} AS v FROM x
            WHERE x.started IS NOT NULL
        ) """
    all_params = [filters.workspace_id, db_param(lo), db_param(hi), *params]
    parts = fetch_parts(resolved, {
        "all": percentile_sql("SELECT v FROM dur", (0.5,)),
        "day": percentile_sql("SELECT d, v FROM dur", (0.5,), partition="d"),
    }, all_params)  # fmt: skip
    [(_, resolutions, median)] = parts["all"]
    return m.result(median, daily(filters, {day_of(d): v for d, _, v in parts["day"]}, None),
                    rows=[{"resolutions": resolutions}])  # fmt: skip


@metric(
    "sla_attainment", _("SLA attainment"), "ratio",
    """Of the waits (as in first_response_time) that started in the period and fall under a
    first-response target (the Business hours page: the most specific target for the
    conversation's priority and channel wins), the share answered within the target's
    minutes, counted in business time for business-hours targets. A wait still unanswered
    counts as missed once its target time has passed and is left out until then. Measured
    from the messages' network timestamps. Null when no target applies.""",
)
def sla_attainment(m: Metric, filters: Filters) -> Result:
    from breakwater.sla.due import targets_for
    from breakwater.sla.policy import _specificity

    targets = targets_for(filters.workspace_id)
    if not targets:
        return m.result(None, daily(filters, {}, None),
                        rows=[{"met": 0, "missed": 0, "targets": 0}])  # fmt: skip
    lo, hi = filters.bounds
    cal = business_calendar(filters.workspace_id)
    waits, params = waits_sql(filters, lo, hi)
    now = timezone.now()
    ordered = sorted(targets, key=lambda t: (_specificity(t), -t.minutes, -t.id), reverse=True)

    def pick(value: Any) -> str:
        cases = []
        for t in ordered:
            cond = ["1 = 1"]
            if t.priority is not None:
                cond.append(f"c.priority = {int(t.priority)}")
            if t.channel_id is not None:
                cond.append(f"c.channel_id = {int(t.channel_id)}")
            cases.append(f"WHEN {' AND '.join(cond)} THEN {value(t)}")
        return f"CASE {' '.join(cases)} END"

    until = f"COALESCE(w.answered_s, {now.timestamp()!r})"
    wall = greatest(f"{until} - w.asked_s", "0")
    cte, joins = "", ""
    if cal is not None and any(t.business_hours for t in targets):
        cte, joins, business = business_seconds(cal, lo, hi, "w.asked_s", until)
    else:
        business = wall
    elapsed = pick(lambda t: business if t.business_hours else wall)
    limit = pick(lambda t: float(t.minutes * 60))
    day = local_day_number("w.asked_s", filters, lo, hi)
    # The conversation's priority and channel pick the target: read only if a target asks.
    by_conversation = any(t.priority is not None or t.channel_id is not None for t in targets)
    conversation = f" JOIN {CONVERSATION} c ON c.id = w.conversation_id" if by_conversation else ""
    rows = fetch(
        f"""WITH {cte}w AS ({waits}), judged AS (
                SELECT {day} AS d, w.answered IS NOT NULL AS done, {elapsed} AS spent,
                    {limit} AS allowed
                FROM w{conversation}{joins})
            SELECT d, SUM(CASE WHEN spent <= allowed AND done THEN 1 ELSE 0 END),
                SUM(CASE WHEN spent > allowed THEN 1 ELSE 0 END)
            FROM judged WHERE allowed IS NOT NULL GROUP BY d""",
        params,
    )
    met = sum(r[1] or 0 for r in rows)
    missed = sum(r[2] or 0 for r in rows)
    per_day = {day_of(d): (a or 0) / ((a or 0) + (b or 0)) for d, a, b in rows if (a or 0) + (b or 0)}
    return m.result(met / (met + missed) if met + missed else None,
                    daily(filters, per_day, None),
                    rows=[{"met": met, "missed": missed, "targets": len(targets)}])  # fmt: skip
