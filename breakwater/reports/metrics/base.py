"""What every metric shares: the filters, the result, the registry and the SQL helpers.

A metric is one function ``(Filters) -> Result`` registered under its key with its label,
unit and the exact definition people read (the API's ``definition``, docs/metrics.md).
Everything is computed in the database; Python only walks the days of a series.

Periods are local dates in the workspace's time zone: ``start`` 00:00 to the end of ``end``
(inclusive), turned into UTC instants once (``Filters.bounds``), so a DST day is 23 or 25
hours long as it is for the people working it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils.functional import Promise

from breakwater.inbox.models import DeliveryState

Unit = str  # "count" | "ratio" | "seconds"
UNITS = ("count", "ratio", "seconds")
# The longest period one request may ask for (a year and a day: a leap year plus one).
MAX_DAYS = 367
# An outbound message in these states has answered nobody (the SLA app counts the same way).
NOT_A_RESPONSE = (DeliveryState.NEEDS_APPROVAL, DeliveryState.BLOCKED, DeliveryState.FAILED)


@dataclass(frozen=True)
class Filters:
    """One report request: a workspace, local dates ``start``..``end`` inclusive, and the
    optional narrowing filters (a channel id, a network key, a tag id, a team member's user id).
    """

    workspace_id: int
    start: date
    end: date
    channel_id: int | None = None
    network: str | None = None
    tag_id: int | None = None
    member_id: int | None = None
    timezone: str | None = None  # the workspace's, looked up when not given

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the end date comes before the start date")
        if (self.end - self.start).days + 1 > MAX_DAYS:
            raise ValueError(f"a report covers at most {MAX_DAYS} days")

    @cached_property
    def tz(self) -> ZoneInfo:
        name = self.timezone
        if name is None:
            from breakwater.core.models import Workspace

            name = (
                Workspace.objects.filter(pk=self.workspace_id)
                .values_list("timezone", flat=True)
                .first()
            )
        return ZoneInfo(name or "Europe/Helsinki")

    def midnight(self, day: date) -> datetime:
        """Local midnight at the start of ``day``, as a UTC instant."""
        return datetime(day.year, day.month, day.day, tzinfo=self.tz).astimezone(UTC)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[lo, hi): local midnight of ``start`` to local midnight after ``end``, in UTC."""
        return self.midnight(self.start), self.midnight(self.end + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def previous(self) -> Filters:
        """The same filters over the period of equal length just before (period-over-period)."""
        length = self.end - self.start + timedelta(days=1)
        return replace(self, start=self.start - length, end=self.end - length)


@dataclass
class Result:
    """What a metric answers. ``value`` is None when there is nothing to measure (no
    conversations in the period) or the source is missing (``available`` False, ``reason``)."""

    metric: str
    value: float | int | None
    unit: Unit
    series: list[dict[str, Any]]
    definition: str
    label: str = ""
    rows: list[dict[str, Any]] | None = None
    columns: list[str] | None = None
    available: bool = True
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "metric": self.metric, "value": self.value, "unit": self.unit,
            "series": self.series, "definition": self.definition, "label": self.label,
            "available": self.available,
        }  # fmt: skip
        if self.reason:
            out["reason"] = self.reason
        if self.rows is not None:
            out["rows"] = self.rows
            out["columns"] = self.columns or (list(self.rows[0]) if self.rows else [])
        return out


@dataclass(frozen=True)
class Metric:
    key: str
    label: Promise | str
    unit: Unit
    definition: str
    function: Callable[[Filters], Result] = field(repr=False)
    # "scalar": a value and a daily series; "table": rows too (heat map, per agent, ...).
    shape: str = "scalar"

    def result(self, value: Any, series: list[dict[str, Any]], **extra: Any) -> Result:
        return Result(self.key, value, self.unit, series, self.definition, str(self.label),
                      **extra)  # fmt: skip

    def unavailable(self, reason: str) -> Result:
        return Result(self.key, None, self.unit, [], self.definition, str(self.label),
                      available=False, reason=reason)  # fmt: skip


METRICS: dict[str, Metric] = {}


def metric(key: str, label: Promise | str, unit: Unit, definition: str,
           shape: str = "scalar") -> Callable[[Callable[[Metric, Filters], Result]], Metric]:
    """Register ``function(metric, filters) -> Result`` under ``key``."""
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} is not one of {UNITS}")

    def register(function: Callable[[Metric, Filters], Result]) -> Metric:
        if key in METRICS:
            raise ValueError(f"metric {key!r} is registered twice")
        entry = Metric(key, label, unit, " ".join(definition.split()),
                       lambda f: function(METRICS[key], f), shape)  # fmt: skip
        METRICS[key] = entry
        entry.function.__doc__ = function.__doc__
        return entry

    return register


# -- SQL helpers (SQLite and PostgreSQL) ---------------------------------------------------


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def epoch(column: str) -> str:
    """Seconds since 1970 of a datetime column, as a float."""
    if is_postgres():
        # date_part() answers float8 directly, the same value as EXTRACT(EPOCH ...)::float,
        # whose numeric result costs three times as much per row.
        return f"date_part('epoch', {column})"
    # julianday() is a double of days (SQLite keeps whole milliseconds), ~1e-5 s of float
    # noise at today's dates (1800.0000134 for half an hour): rounded to the millisecond,
    # reports' finest grain. ROUND(x) to an integer of milliseconds is the same value as
    # ROUND(x, 3) of seconds at a third of the cost (that one formats and parses text).
    return f"(ROUND((julianday({column}) - 2440587.5) * 86400000.0) / 1000.0)"


def floor(expression: str) -> str:
    """floor() of a non-negative number as an integer (SQLite 3.40 may lack math functions;
    on PostgreSQL an integer, so a join on a day number can hash: int = float8 cannot)."""
    if is_postgres():
        return f"CAST(FLOOR({expression}) AS INTEGER)"
    return f"CAST({expression} AS INTEGER)"


def least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if is_postgres() else f"MIN({a}, {b})"


def greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if is_postgres() else f"MAX({a}, {b})"


def db_param(value: datetime) -> Any:
    """A datetime as a raw query parameter the way Django stores it (UTC; naive on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value.astimezone(UTC))


def offsets(filters: Filters, lo: datetime, hi: datetime) -> list[tuple[float, int]]:
    """The time zone's UTC offset (seconds) from each transition within [lo, hi), as
    (epoch seconds from which it applies, offset), the first from -infinity."""
    tz = filters.tz
    out = [(float("-inf"), int(lo.astimezone(tz).utcoffset().total_seconds()))]  # type: ignore[union-attr]
    day = lo
    while day < hi:
        nxt = day + timedelta(days=1)
        before = day.astimezone(tz).utcoffset()
        if nxt.astimezone(tz).utcoffset() != before:
            step = day
            while step.astimezone(tz).utcoffset() == before:  # 15-minute steps find it
                step += timedelta(minutes=15)
            out.append((step.timestamp(), int(step.astimezone(tz).utcoffset().total_seconds())))  # type: ignore[union-attr]
        day = nxt
    return out


def local_day_number(epoch_sql: str, filters: Filters, lo: datetime, hi: datetime) -> str:
    """SQL for the local day (days since 1970-01-01 in the workspace's zone) of an instant
    given as epoch seconds; exact across the DST changes within [lo, hi)."""
    changes = offsets(filters, lo - timedelta(days=2), hi + timedelta(days=2))
    offset = str(changes[0][1])
    for since, value in changes[1:]:
        offset = f"CASE WHEN {epoch_sql} >= {since!r} THEN {value} ELSE {offset} END"
    return floor(f"(({epoch_sql}) + {offset}) / 86400.0")


EPOCH_DAY = date(1970, 1, 1)


def day_of(number: int) -> date:
    return EPOCH_DAY + timedelta(days=int(number))


def number_of(day: date) -> int:
    return (day - EPOCH_DAY).days


def daily(filters: Filters, values: dict[date, Any], empty: Any = 0) -> list[dict[str, Any]]:
    """One point per day of the period, ``empty`` where the query had no row."""
    return [{"date": d.isoformat(), "value": values.get(d, empty)} for d in filters.days]


def percentile_sql(values_sql: str, qs: Sequence[float], partition: str = "") -> str:
    """SQL selecting ``p, n, value_0, ...``: the number of rows and the ``qs`` quantiles (each
    0..1, linear between closest ranks, as PostgreSQL's ``percentile_cont``) of column ``v``
    of ``values_sql``, grouped by ``partition`` if given (selected as ``p``; without, one
    row with p 0, also when there are no rows: n 0, values null). On SQLite one ranking
    pass serves all the quantiles: the sort is what costs."""
    group = " GROUP BY p" if partition else ""
    select_p = "p, " if partition else "0 AS p, "
    inner_p = f"{partition} AS p, " if partition else ""
    if is_postgres():
        # The ordered-set aggregate itself: a sort per group, five times cheaper than the
        # window functions below.
        cont = ", ".join(f"percentile_cont({q!r}) WITHIN GROUP (ORDER BY v) AS value_{i}"
                         for i, q in enumerate(qs))  # fmt: skip
        return (f"SELECT {select_p}COUNT(*) AS n, {cont} FROM ("
                f"SELECT {inner_p}v FROM ({values_sql}) pv) grouped{group}")  # fmt: skip
    over = f"PARTITION BY {partition}" if partition else ""
    values = []
    for i, q in enumerate(qs):
        pos = f"((n - 1) * {q!r})"
        low = floor(pos)
        frac = f"({pos} - {low})"
        values.append(f"SUM(CASE WHEN rn = {low} THEN v * (1 - {frac}) "
                      f"WHEN rn = {low} + 1 THEN v * {frac} ELSE 0 END) AS value_{i}")  # fmt: skip
    return (
        f"SELECT {select_p}COALESCE(MAX(n), 0) AS n, {', '.join(values)} FROM ("
        f"SELECT {inner_p}v, ROW_NUMBER() OVER ({over} ORDER BY v) - 1 AS rn, "
        f"COUNT(*) OVER ({over}) AS n FROM ({values_sql}) pv) ranked{group}"
    )


def fetch_parts(with_sql: str, parts: dict[str, str],
                params: Sequence[Any]) -> dict[str, list[tuple[Any, ...]]]:
    """Several SELECTs over one WITH clause in one query (the CTEs computed once): each
    part's SELECT yields rows of the same number of columns, a key first; answers
    {part: [(key, value, ...), ...]}."""
    union = " UNION ALL ".join(
        f"SELECT '{name}' AS part, * FROM ({sql}) part_{i}"
        for i, (name, sql) in enumerate(parts.items())
    )
    out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in parts}
    for part, *row in fetch(with_sql + union, params):
        out[part].append(tuple(row))
    return out


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.fetchall()
    # Without JIT: the planner's costs for these queries (correlated subqueries over a
    # period's rows) pass jit_above_cost, and compiling took longer than running them
    # (resolution_time over 90 days of the 1M bench: 1.1 s of JIT for 0.8 s of work).
    # Inside a caller's transaction the setting lasts until that one ends.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, list(params))
        return cursor.fetchall()
