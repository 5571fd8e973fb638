"""The filters as SQL, and the response waits ("episodes") every response metric reads.

A **wait** starts at an inbound message that follows an outbound one (or opens the
conversation) and ends at the next outbound message: a reply sent from Breakwater or one
made outside it and ingested as an outbound item (``direction: "out"``), but not one held
for approval, blocked or failed. Inbound messages marked spam are not waits. The waits are
kept in ``ResponseWait`` (``reports.waits``: recomputed per conversation from all its
messages whenever they change), so imported history gives the same figures as live traffic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from breakwater.inbox.models import Conversation, ConversationTag, Message
from breakwater.reports import waits
from breakwater.reports.metrics.base import (
    NOT_A_RESPONSE,
    Filters,
    db_param,
    floor,
    greatest,
    is_postgres,
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
    """SELECT conversation_id, asked, answered, answered_by, asked_s, answered_s of the
    waits that started in [lo, hi) in the conversations the filters keep (``answered`` NULL:
    still waiting; ``asked_s``/``answered_s``: the same instants as epoch seconds).

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
            rw.answered_by_id AS answered_by, rw.asked_epoch AS asked_s,
            rw.answered_epoch AS answered_s
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


# Open pieces per UTC day the day table carries; a schedule with more in one day falls
# back to the interval list (slower: a lookup per wait, not a join).
DAY_SLOTS = 4
DAY = 86400
# On SQLite the day table is a temporary table of the connection: SQLite builds no automatic
# index on a CTE joined like this and scanned every day for every wait (2 s for the 80,000
# waits of 90 days); its integer primary key makes each join a rowid lookup. PostgreSQL
# hash-joins a VALUES CTE.
DAY_TABLE = "reports_business_days"
DAY_COLUMNS = ("d", "c", *(f"{x}{k}" for k in range(1, DAY_SLOTS + 1) for x in "se"))


def calendar_days(cal: Any, lo: datetime, until: datetime
                  ) -> list[tuple[int, float, list[tuple[float, float]]]]:
    """Per UTC day number (days since 1970) from the day before ``lo`` to the day after
    ``until``: the open seconds from the first of those days to this one, and this day's
    open time as (start, end) epoch seconds, cut at UTC midnights. UTC days, not local ones,
    so that the day of an instant is a division, with no time zone arithmetic per wait."""
    first, last = int(lo.timestamp() // DAY) - 1, int(until.timestamp() // DAY) + 1
    begin, finish = first * DAY, (last + 1) * DAY
    pieces: dict[int, list[tuple[float, float]]] = {}
    day = datetime.fromtimestamp(begin, UTC).astimezone(cal.tz).date()
    while datetime(day.year, day.month, day.day, tzinfo=cal.tz).timestamp() < finish:
        for start, end in cal.intervals_on(day):
            s, e = max(start.timestamp(), begin), min(end.timestamp(), finish)
            while s < e:
                number = int(s // DAY)
                cut = min(e, (number + 1) * DAY)
                cells = pieces.setdefault(number, [])
                if cells and cells[-1][1] == s:  # 24:00 of one local day, 00:00 of the next
                    cells[-1] = (cells[-1][0], cut)
                else:
                    cells.append((s, cut))
                s = cut
        day += timedelta(days=1)
    out, total = [], 0.0
    for number in range(first, last + 1):
        cells = pieces.get(number, [])
        out.append((number, total, cells))
        total += sum(e - s for s, e in cells)
    return out


def _day_table(days: list[tuple[int, float, list[tuple[float, float]]]]) -> tuple[str, str]:
    """(CTE text ending in a comma, or empty; the name to join) of the day rows ``(d, c, s1,
    e1, ..., s4, e4)`` (unused slots 0, 0)."""
    rows = [(number, total, *(v for cell in cells for v in cell),
             *(0.0, 0.0) * (DAY_SLOTS - len(cells))) for number, total, cells in days]  # fmt: skip
    if is_postgres():
        values = ", ".join("(" + ", ".join(map(repr, row)) + ")" for row in rows)
        # float8 columns (a literal 1.0 is a numeric: arithmetic on it costs many times more)
        floats = ", ".join(f"CAST({c} AS FLOAT) AS {c}" for c in DAY_COLUMNS[1:])
        return (f"cal AS MATERIALIZED (SELECT d, {floats} FROM (VALUES {values}) "
                f"v ({', '.join(DAY_COLUMNS)})), "), "cal"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {DAY_TABLE} (d INTEGER PRIMARY KEY, "
                       + ", ".join(f"{c} REAL" for c in DAY_COLUMNS[1:]) + ")")  # fmt: skip
        cursor.execute(f"DELETE FROM {DAY_TABLE}")
        marks = ", ".join(["%s"] * len(DAY_COLUMNS))
        cursor.executemany(f"INSERT INTO {DAY_TABLE} VALUES ({marks})", rows)
    return "", DAY_TABLE


def day_clock_sql(t: str, alias: str, slots: int) -> str:
    """Business seconds on the clock at epoch ``t``, from the day row ``alias`` of its UTC
    day: the open seconds before the day plus those of its first ``slots`` pieces before t."""
    parts = [
        greatest("0", least(f"{t} - {alias}.s{k}", f"{alias}.e{k} - {alias}.s{k}"))
        for k in range(1, slots + 1)
    ]
    return "(" + " + ".join([f"{alias}.c", *parts]) + ")"


def open_intervals_sql(days: list[tuple[int, float, list[tuple[float, float]]]]) -> str:
    """A VALUES list ``iv(s, e, c)``: each open piece of ``days`` (epoch seconds) with ``c``
    the open seconds before it, so the business clock at t is c + min(t, e) - s of the last
    piece starting at or before t."""
    rows = []
    for _, total, cells in days:
        for s, e in cells:
            rows.append(f"({s!r}, {e!r}, {total!r})")
            total += e - s
    return "VALUES " + ", ".join(rows or ["(0.0, 0.0, 0.0)"])


def clock_sql(t: str) -> str:
    """Business seconds on the clock at epoch ``t`` (needs the ``iv`` CTE)."""
    return (
        f"COALESCE((SELECT iv.c + {least(t, 'iv.e')} - iv.s FROM iv WHERE iv.s <= {t} "
        f"ORDER BY iv.s DESC LIMIT 1), 0)"
    )


def business_seconds(cal: Any, lo: datetime, hi: datetime, start: str,
                     end: str) -> tuple[str, str, str]:
    """For a query over waits ``w``: (CTE text ending in a comma, or empty; the JOIN
    clauses; the SQL of the business seconds from epoch ``start`` to epoch ``end``).

    The business clock at t is the open seconds before t's UTC day plus the open time of
    that day before t; a wait's business time is the clock at its end minus at its start:
    two equality joins on the day numbers of the day table, not a search per wait."""
    until = max(hi, timezone.now()) + timedelta(days=1)
    days = calendar_days(cal, lo, until)
    slots = max(len(cells) for _, _, cells in days)
    if slots > DAY_SLOTS:
        cte = f"iv (s, e, c) AS ({open_intervals_sql(days)}), "
        return cte, "", greatest(f"{clock_sql(end)} - {clock_sql(start)}", "0")
    cte, table = _day_table(days)
    joins = (f" LEFT JOIN {table} ca ON ca.d = {floor(f'{start} / {DAY}.0')}"
             f" LEFT JOIN {table} cb ON cb.d = {floor(f'{end} / {DAY}.0')}")  # fmt: skip
    seconds = greatest(f"{day_clock_sql(end, 'cb', slots)} - {day_clock_sql(start, 'ca', slots)}",
                       "0")  # fmt: skip
    return cte, joins, seconds


def durations_sql(filters: Filters, lo: datetime, hi: datetime,
                  cal: Any = None) -> tuple[str, list[Any]]:
    """A WITH clause ending in ``dur (d, v, answered_by)``: the local day number of the ask,
    the seconds to the response and who sent it, of the answered waits started in [lo, hi);
    business seconds with ``cal``. Append a SELECT reading ``dur``."""
    waits, params = waits_sql(filters, lo, hi)
    day = local_day_number("asked_s", filters, lo, hi)
    if cal is None:
        cte, joins, seconds = "", "", greatest("answered_s - asked_s", "0")
    else:
        cte, joins, seconds = business_seconds(cal, lo, hi, "asked_s", "answered_s")
    sql = (
        f"WITH {cte}w AS ({waits}), dur AS MATERIALIZED ("
        f"SELECT {day} AS d, {seconds} AS v, answered_by FROM w{joins} "
        f"WHERE answered IS NOT NULL) "
    )
    return sql, params
