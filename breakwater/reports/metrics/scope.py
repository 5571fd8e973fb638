"""The filters as SQL, and the response waits ("episodes") every response metric reads.

A **wait** starts at an inbound message that follows an outbound one (or opens the
conversation) and ends at the next outbound message: a reply sent from Breakwater or one
made outside it and ingested as an outbound item (``direction: "out"``), but not one held
for approval, blocked or failed. Inbound messages marked spam are not waits. The waits are
kept in ``ResponseWait`` (``reports.waits``: recomputed per conversation from all its
messages whenever they change), so imported history gives the same figures as live traffic.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from breakwater.inbox.models import Conversation, ConversationTag, Message
from breakwater.reports import waits
from breakwater.reports.metrics.base import (
    NOT_A_RESPONSE,
    Filters,
    db_param,
    epoch,
    greatest,
    least,
    local_day_number,
)

MESSAGE = Message._meta.db_table
CONVERSATION = Conversation._meta.db_table
CONVERSATION_TAG = ConversationTag._meta.db_table
WAIT = waits.WAIT
NOT_RESPONSE_SQL = ", ".join(f"'{s}'" for s in NOT_A_RESPONSE)


def _where(filters: Filters, alias: str, conversation: str, member_sql: str
           ) -> tuple[str, list[Any]]:
    """The filters' conditions on rows with workspace, channel and network columns.
    ``conversation``: the SQL of the row's conversation id (for the tag filter);
    ``member_sql``: the member filter's condition, with one ``%s``."""
    where = [f"{alias}.workspace_id = %s"]
    params: list[Any] = [filters.workspace_id]
    if filters.channel_id is not None:
        where.append(f"{alias}.channel_id = %s")
        params.append(filters.channel_id)
    if filters.network:
        where.append(f"{alias}.network = %s")
        params.append(filters.network)
    if filters.tag_id is not None:
        where.append(f"EXISTS (SELECT 1 FROM {CONVERSATION_TAG} ct WHERE ct.conversation_id = "
                     f"{conversation} AND ct.tag_id = %s)")
        params.append(filters.tag_id)
    if filters.member_id is not None:
        where.append(member_sql)
        params.append(filters.member_id)
    return " AND ".join(where), params


def message_where(filters: Filters, alias: str = "m", *, member: str = "assignee") -> tuple[str, list[Any]]:
    """SQL conditions (and params) for the messages of the workspace the filters keep.

    ``member`` says what the member filter means: "assignee" (the conversation is assigned
    to them) or "sender" (the message was sent by them).
    """
    member_sql = (f"{alias}.sent_by_id = %s" if member == "sender" else
                  f"EXISTS (SELECT 1 FROM {CONVERSATION} cm WHERE cm.id = {alias}.conversation_id "
                  f"AND cm.assignee_id = %s)")
    return _where(filters, alias, f"{alias}.conversation_id", member_sql)


def conversation_where(filters: Filters, alias: str = "c") -> tuple[str, list[Any]]:
    """SQL conditions on a conversation row for the filters (the member: its assignee)."""
    return _where(filters, alias, f"{alias}.id", f"{alias}.assignee_id = %s")


def inbound(alias: str = "m") -> str:
    return f"{alias}.direction = 'in' AND {alias}.is_spam = false"


def response(alias: str = "m") -> str:
    return f"{alias}.direction = 'out' AND {alias}.delivery_state NOT IN ({NOT_RESPONSE_SQL})"


def waits_sql(filters: Filters, lo: datetime, hi: datetime) -> tuple[str, list[Any]]:
    """SELECT conversation_id, asked, answered, answered_by of the waits that started in
    [lo, hi) in the conversations the filters keep (``answered`` NULL: still waiting).

    Reads the kept table ``ResponseWait`` (``reports.waits``: per conversation, the window
    pass that numbers each message by how many responses came before it; the inbound
    messages with number g wait for the response with number g), after bringing the
    workspace's stale conversations up to date.
    """
    waits.refresh(filters.workspace_id)
    where, params = _where(
        filters, "rw", "rw.conversation_id",
        f"EXISTS (SELECT 1 FROM {CONVERSATION} cm WHERE cm.id = rw.conversation_id "
        f"AND cm.assignee_id = %s)",
    )
    sql = f"""
        SELECT rw.conversation_id, rw.asked_at AS asked, rw.answered_at AS answered,
            rw.answered_by_id AS answered_by
        FROM {WAIT} rw
        WHERE {where} AND rw.asked_at >= %s AND rw.asked_at < %s"""
    return sql, [*params, db_param(lo), db_param(hi)]


# -- business time --------------------------------------------------------------------------


def business_calendar(workspace_id: int) -> Any:
    """The workspace's calendar when business hours are set (saved, with open time), else None."""
    from breakwater.sla import due
    from breakwater.sla.models import BusinessHours

    if not BusinessHours.objects.filter(workspace_id=workspace_id).exists():
        return None
    cal = due.calendar_for(workspace_id)
    return cal if cal.has_open_time else None


# Open intervals per day the day table carries; a schedule with more in one day falls
# back to the interval list (slower: a lookup per wait, not a join).
DAY_SLOTS = 4


def calendar_days_sql(filters: Filters, cal: Any, lo: datetime, hi: datetime) -> str:
    """VALUES rows ``(d, c, s1, e1, ..., s4, e4)``: per local day number d from before ``lo``
    to after ``hi``, the open seconds ``c`` before that day and its open intervals as epoch
    seconds (unused slots 0, 0). The business clock at t on day d is c plus the open time
    of day d before t; a wait's business time is the clock at its answer minus at its ask.
    Two equality joins on the day number (hash or automatic index), not a search per wait."""
    from breakwater.reports.metrics.base import number_of

    rows = []
    total = 0.0
    day = (lo - timedelta(days=1)).astimezone(filters.tz).date()
    last = (hi + timedelta(days=1)).astimezone(filters.tz).date()
    while day <= last:
        slots = [(s.timestamp(), e.timestamp()) for s, e in cal.intervals_on(day)]
        if len(slots) > DAY_SLOTS:
            raise _TooManySlots
        cells = [v for slot in slots for v in slot] + [0.0, 0.0] * (DAY_SLOTS - len(slots))
        rows.append("(" + ", ".join([str(number_of(day)), repr(total), *map(repr, cells)]) + ")")
        total += sum(e - s for s, e in slots)
        day += timedelta(days=1)
    return "VALUES " + ", ".join(rows)


class _TooManySlots(Exception):
    pass


def day_clock_sql(t: str, alias: str) -> str:
    """Business seconds on the clock at epoch ``t``, from the day row ``alias`` of its day."""
    parts = [
        greatest("0", least(f"{t} - {alias}.s{k}", f"{alias}.e{k} - {alias}.s{k}"))
        for k in range(1, DAY_SLOTS + 1)
    ]
    return f"({alias}.c + " + " + ".join(parts) + ")"


def open_intervals_sql(cal: Any, lo: datetime, hi: datetime) -> str:
    """A VALUES list ``iv(s, e, c)``: each open interval from ``lo`` on (epoch seconds) with
    ``c`` the open seconds before it, so the business clock at t is c + min(t, e) - s of the
    last interval starting at or before t."""
    rows = []
    total = 0.0
    day = (lo - timedelta(days=1)).astimezone(cal.tz).date()
    last = (hi + timedelta(days=1)).astimezone(cal.tz).date()
    while day <= last:
        for start, end in cal.intervals_on(day):
            s, e = start.timestamp(), end.timestamp()
            rows.append(f"({s!r}, {e!r}, {total!r})")
            total += e - s
        day += timedelta(days=1)
    if not rows:
        rows.append("(0.0, 0.0, 0.0)")
    return "VALUES " + ", ".join(rows)


def clock_sql(t: str) -> str:
    """Business seconds on the clock at epoch ``t`` (needs the ``iv`` CTE)."""
    return (
        f"COALESCE((SELECT iv.c + {least(t, 'iv.e')} - iv.s FROM iv WHERE iv.s <= {t} "
        f"ORDER BY iv.s DESC LIMIT 1), 0)"
    )


def business_seconds(filters: Filters, cal: Any, lo: datetime, hi: datetime, start: str,
                     end: str) -> tuple[str, str, str, str]:
    """For a query over waits ``w``: (CTE text ending in a comma, the columns to add to ``w``
    first (the local day numbers of ``start`` and ``end``: computed once per wait, so the
    join compares plain integers), the JOIN clauses, the SQL of the business seconds from
    epoch ``start`` to epoch ``end``)."""
    until = max(hi, timezone.now()) + timedelta(days=1)
    try:
        days = calendar_days_sql(filters, cal, lo, until)
    except _TooManySlots:
        cte = f"iv (s, e, c) AS ({open_intervals_sql(cal, lo, until)}), "
        return cte, "", "", greatest(f"{clock_sql(end)} - {clock_sql(start)}", "0")
    cols = ", ".join(["d", "c", *(f"{x}{k}" for k in range(1, DAY_SLOTS + 1) for x in "se")])
    cte = f"cal ({cols}) AS MATERIALIZED ({days}), "
    columns = (f"{local_day_number(start, filters, lo, until)} AS bh_start, "
               f"{local_day_number(end, filters, lo, until)} AS bh_end")  # fmt: skip
    joins = " LEFT JOIN cal ca ON ca.d = w.bh_start LEFT JOIN cal cb ON cb.d = w.bh_end"
    seconds = greatest(f"{day_clock_sql(end, 'cb')} - {day_clock_sql(start, 'ca')}", "0")
    return cte, columns, joins, seconds


def waits_cte(waits: str, columns: str) -> str:
    """The CTE ``w`` of the waits, with extra columns computed once per wait (materialized:
    else SQLite folds them back into the join condition and evaluates them per pair)."""
    if not columns:
        return f"w AS ({waits})"
    return f"w0 AS ({waits}), w AS MATERIALIZED (SELECT w.*, {columns} FROM w0 AS w)"


def durations_sql(filters: Filters, lo: datetime, hi: datetime,
                  cal: Any = None) -> tuple[str, list[Any]]:
    """A WITH clause ending in ``dur (d, v, answered_by)``: the local day number of the ask,
    the seconds to the response and who sent it, of the answered waits started in [lo, hi);
    business seconds with ``cal``. Append a SELECT reading ``dur``."""
    waits, params = waits_sql(filters, lo, hi)
    asked, answered = epoch("asked"), epoch("answered")
    day = local_day_number(asked, filters, lo, hi)
    if cal is None:
        cte, columns, joins, seconds = "", "", "", greatest(f"{answered} - {asked}", "0")
    else:
        cte, columns, joins, seconds = business_seconds(filters, cal, lo, hi, asked, answered)
    sql = (
        f"WITH {cte}{waits_cte(waits, columns)}, dur AS MATERIALIZED ("
        f"SELECT {day} AS d, {seconds} AS v, answered_by FROM w{joins} "
        f"WHERE answered IS NOT NULL) "
    )
    return sql, params
