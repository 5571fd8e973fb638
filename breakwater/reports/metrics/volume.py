"""Inbound volume: in total per day, by kind, by network, and by hour of day x weekday."""

from __future__ import annotations

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
    floor,
    local_day_number,
    metric,
)
from breakwater.reports.metrics.scope import MESSAGE, inbound, message_where


def _inbound(filters: Filters) -> tuple[str, list[Any]]:
    lo, hi = filters.bounds
    where, params = message_where(filters)
    return (
        f"{where} AND {inbound()} AND m.created_at >= %s AND m.created_at < %s",
        [*params, db_param(lo), db_param(hi)],
    )


def _day(filters: Filters) -> str:
    lo, hi = filters.bounds
    return local_day_number(epoch("m.created_at"), filters, lo, hi)


@metric(
    "inbound_volume", _("Inbound messages"), "count",
    """Inbound messages (direction "in", not spam) created in the period, by the network's
    timestamp, in the workspace's time zone. The series counts each local day.""",
)
def inbound_volume(m: Metric, filters: Filters) -> Result:
    where, params = _inbound(filters)
    rows = fetch(
        f"SELECT {_day(filters)} AS d, COUNT(*) FROM {MESSAGE} m WHERE {where} GROUP BY d",
        params,
    )
    per_day = {day_of(d): n for d, n in rows}
    return m.result(sum(per_day.values()), daily(filters, per_day))


def _by(m: Metric, filters: Filters, column: str, name: str) -> Result:
    where, params = _inbound(filters)
    rows = fetch(
        f"SELECT m.{column}, COUNT(*) AS n FROM {MESSAGE} m WHERE {where} "
        f"GROUP BY m.{column} ORDER BY n DESC, m.{column}",
        params,
    )
    total = sum(n for _, n in rows)
    table = [{name: key, "count": n, "share": n / total} for key, n in rows]
    return m.result(total, [], rows=table, columns=[name, "count", "share"])


@metric(
    "inbound_by_kind", _("Inbound messages by kind"), "count",
    """Inbound messages (as in inbound_volume) counted per kind (comment, direct message,
    mention, review, ...), most first, with each kind's share of the total.""",
    shape="table",
)
def inbound_by_kind(m: Metric, filters: Filters) -> Result:
    return _by(m, filters, "kind", "kind")


@metric(
    "inbound_by_network", _("Inbound messages by network"), "count",
    """Inbound messages (as in inbound_volume) counted per network, most first, with each
    network's share of the total.""",
    shape="table",
)
def inbound_by_network(m: Metric, filters: Filters) -> Result:
    return _by(m, filters, "network", "network")


@metric(
    "inbound_heatmap", _("Inbound messages by weekday and hour"), "count",
    """Inbound messages (as in inbound_volume) counted per local weekday (1 Monday .. 7
    Sunday) and hour of the day (0..23) in the workspace's time zone: 168 cells.""",
    shape="table",
)
def inbound_heatmap(m: Metric, filters: Filters) -> Result:
    where, params = _inbound(filters)
    lo, hi = filters.bounds
    day = local_day_number(epoch("m.created_at"), filters, lo, hi)
    rows = fetch(
        f"SELECT d, h, COUNT(*) FROM (SELECT {day} AS d, {_local_hour(filters)} AS h "
        f"FROM {MESSAGE} m WHERE {where}) x GROUP BY d, h",
        params,
    )
    cells: dict[tuple[int, int], int] = {}
    for d, h, n in rows:
        weekday = day_of(d).isoweekday()
        cells[(weekday, int(h))] = cells.get((weekday, int(h)), 0) + n
    table = [
        {"weekday": wd, "hour": hour, "count": cells.get((wd, hour), 0)}
        for wd in range(1, 8) for hour in range(24)
    ]
    return m.result(sum(cells.values()), [], rows=table, columns=["weekday", "hour", "count"])


def _local_hour(filters: Filters) -> str:
    """SQL: the local hour (0..23) of ``m.created_at``."""
    from breakwater.reports.metrics.base import offsets

    lo, hi = filters.bounds
    t = epoch("m.created_at")
    changes = offsets(filters, lo, hi)
    offset = str(changes[0][1])
    for since, value in changes[1:]:
        offset = f"CASE WHEN {t} >= {since!r} THEN {value} ELSE {offset} END"
    local = f"(({t}) + {offset})"
    return floor(f"(({local}) - {floor(f'{local} / 86400.0')} * 86400.0) / 3600.0")
