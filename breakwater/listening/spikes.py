"""Spike detection on hourly counts: a seasonal baseline by hour of the week with a robust
threshold. Pure: no database, no Django models.

For each hour, the baseline is the counts of the same hour of the week (Monday 09-10, say) in
the ``weeks`` weeks before it. The hour is a spike when its count exceeds
``median + k * spread``, where the spread is the MAD scaled to a standard deviation
(``1.4826 * MAD``) but never below ``sqrt(median)``, the spread of a Poisson count; and
also ``min_excess`` above the median and at least ``min_count``: a quiet topic going from 0 to 2
mentions is no spike. Ordinary weekly peaks (Monday mornings) are in their own slot's baseline,
so they raise nothing. Consecutive spike hours are one spike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import sqrt
from statistics import median

HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)
MAD_SCALE = 1.4826


@dataclass(frozen=True)
class Settings:
    weeks: int = 4  # past weeks in the baseline
    min_weeks: int = 2  # fewer weeks of history than this: no verdict
    k: float = 4.0
    min_count: int = 5
    min_excess: float = 3.0


@dataclass(frozen=True)
class Hour:
    """One hour's verdict: its count, the baseline's median and the threshold it was held to."""

    start: datetime
    count: int
    median: float
    threshold: float

    @property
    def is_spike(self) -> bool:
        return self.count > self.threshold


@dataclass(frozen=True)
class Spike:
    """Consecutive spike hours: from ``start`` to ``end`` (exclusive), their total and how
    many the baselines expected."""

    start: datetime
    end: datetime
    count: int
    expected: float
    peak: int

    @property
    def ratio(self) -> float:
        return self.count / max(self.expected, 1.0)


def floor_hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def judge(counts: Mapping[datetime, int], at: datetime, settings: Settings = Settings(),
          history_start: datetime | None = None) -> Hour | None:
    """The verdict on the hour starting ``at`` (counts keyed by hour start; a missing hour is
    0). None when fewer than ``min_weeks`` of baseline lie after ``history_start``."""
    past = [at - WEEK * w for w in range(1, settings.weeks + 1)]
    if history_start is not None:
        past = [p for p in past if p >= history_start]
    if len(past) < settings.min_weeks:
        return None
    values = [counts.get(p, 0) for p in past]
    mid = median(values)
    mad = median(abs(v - mid) for v in values)
    # Counts are Poisson-like: their spread is at least sqrt(median) even when the few past
    # weeks happened to agree (MAD 0), so that is the floor of the robust deviation.
    spread = max(MAD_SCALE * mad, sqrt(mid))
    threshold = max(mid + settings.k * spread, mid + settings.min_excess, settings.min_count - 1)
    return Hour(at, counts.get(at, 0), float(mid), float(threshold))


def detect(counts: Mapping[datetime, int], start: datetime, end: datetime,
           settings: Settings = Settings(), history_start: datetime | None = None) -> list[Spike]:
    """The spikes among the hours from ``start`` to ``end`` (exclusive), oldest first."""
    spikes: list[Spike] = []
    run: list[Hour] = []
    at = floor_hour(start)
    while at < end:
        hour = judge(counts, at, settings, history_start)
        if hour is not None and hour.is_spike:
            run.append(hour)
        elif run:
            spikes.append(_spike(run))
            run = []
        at += HOUR
    if run:
        spikes.append(_spike(run))
    return spikes


def _spike(run: Sequence[Hour]) -> Spike:
    return Spike(
        start=run[0].start,
        end=run[-1].start + HOUR,
        count=sum(h.count for h in run),
        expected=sum(h.median for h in run),
        peak=max(h.count for h in run),
    )


def explain_terms(spike_terms: Mapping[str, int], baseline_terms: Mapping[str, int],
                  baseline_size: float, spike_size: float, limit: int = 8) -> list[tuple[str, int, float]]:
    """The terms that make a spike: ``(term, count in the spike, lift)``, where lift is the
    term's rate in the spike over its rate in the baseline (+1 smoothing), highest first.
    The sizes are what the rates are per: mentions (a spike), or days (emerging terms)."""
    scored = []
    for term, count in spike_terms.items():
        if count < 2:
            continue
        base_rate = (baseline_terms.get(term, 0) + 1) / (max(baseline_size, 0.0) + 1.0)
        lift = (count / max(spike_size, 1.0)) / base_rate
        scored.append((term, count, round(lift, 1)))
    scored.sort(key=lambda t: (-t[2] * t[1], t[0]))
    return scored[:limit]


def emerging(recent: Mapping[str, int], baseline: Mapping[str, int], recent_days: float,
             baseline_days: float, min_count: int = 3, limit: int = 10) -> list[tuple[str, int, float]]:
    """Terms rising against their own baseline: ``(term, recent count, growth)`` where growth
    is the recent daily rate over the baseline's (+1 smoothing)."""
    return explain_terms(
        {t: c for t, c in recent.items() if c >= min_count}, baseline, baseline_days, recent_days,
        limit,
    )
