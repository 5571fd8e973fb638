"""Budget pacing: spent vs. planned by date, and the projected spend at the period's end.
Pure: plain values in, figures out (docs/publishing.md explains each figure).

For a budget of ``amount`` over ``days`` days (start and end included), on day ``elapsed``
(1 on the first day, counting ``as_of``):

* planned_to_date = amount * elapsed / days            (an even plan: the same sum each day)
* spent_to_date   = the sum of spend entries dated start..as_of
* pace            = spent_to_date / planned_to_date    (1.0 = on plan, above: spending faster)
* projected       = spent_to_date / elapsed * days     (a straight line from the spend so far)
* remaining       = amount - spent_to_date
* used            = spent_to_date / amount             (what the alert thresholds compare)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Pacing:
    amount: Decimal
    days: int
    elapsed: int
    spent_to_date: Decimal
    planned_to_date: Decimal
    projected: Decimal
    remaining: Decimal
    pace: Decimal | None  # None before the period starts
    used_percent: Decimal
    crossed: tuple[int, ...]  # thresholds (percent) the spend has reached
    series: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "amount": str(self.amount), "days": self.days, "elapsed_days": self.elapsed,
            "spent_to_date": str(self.spent_to_date), "planned_to_date": str(self.planned_to_date),
            "projected": str(self.projected), "remaining": str(self.remaining),
            "pace": None if self.pace is None else str(self.pace),
            "used_percent": str(self.used_percent), "crossed": list(self.crossed),
            "series": self.series,
        }


def pacing(amount: Decimal, start: date, end: date, spend: Iterable[tuple[date, Decimal]],
           as_of: date, thresholds: Sequence[int] = (80, 100)) -> Pacing:
    days = (end - start).days + 1
    elapsed = max(0, min(days, (as_of - start).days + 1))
    daily: dict[date, Decimal] = {}
    for day, value in spend:
        if start <= day <= min(as_of, end):
            daily[day] = daily.get(day, Decimal(0)) + Decimal(value)
    spent = sum(daily.values(), Decimal(0))
    planned = amount * elapsed / days if days > 0 else Decimal(0)
    projected = spent / elapsed * days if elapsed else Decimal(0)
    used = spent / amount * 100 if amount else Decimal(0)
    series, running = [], Decimal(0)
    for n in range(elapsed):
        day = start + timedelta(days=n)
        running += daily.get(day, Decimal(0))
        series.append({"date": day.isoformat(), "spent": str(_money(running)),
                       "planned": str(_money(amount * (n + 1) / days))})
    return Pacing(
        amount=_money(amount), days=days, elapsed=elapsed, spent_to_date=_money(spent),
        planned_to_date=_money(planned), projected=_money(projected),
        remaining=_money(amount - spent),
        pace=(spent / planned).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP) if planned else None,
        used_percent=used.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        crossed=tuple(t for t in sorted(thresholds) if used >= t), series=series,
    )
