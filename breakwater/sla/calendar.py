"""Business-time arithmetic: when a workspace is open, and what "60 business minutes" means.

Pure: no models, no settings. A ``Calendar`` is a weekly schedule of open intervals in local
wall-clock time plus a set of closed dates. Every instant going in or out is timezone-aware;
the walk happens day by day in local time (so a DST change shortens or lengthens that day,
as it does for the people working it), and the arithmetic on instants happens in UTC.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# How far ahead a due time is looked for: a calendar closed for longer than this has no due time.
MAX_DAYS = 366 * 2

Interval = tuple[int, int]  # minutes since local midnight: [start, end), end at most 1440


def parse_hhmm(value: str) -> int:
    """ "08:30" -> 510; "24:00" closes a day at midnight."""
    try:
        hours, minutes = value.strip().split(":")
        total = int(hours) * 60 + int(minutes)
    except ValueError:
        raise ValueError(f"{value!r} is not a time of day; write it as HH:MM, e.g. 08:30") from None
    if not (0 <= int(minutes) < 60 and 0 <= total <= MINUTES_PER_DAY):
        raise ValueError(f"{value!r} is not a time of day between 00:00 and 24:00")
    return total


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_intervals(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, each ending after it starts, none overlapping; raises ValueError otherwise."""
    ordered = sorted(intervals)
    for start, end in ordered:
        if end <= start:
            raise ValueError(
                f"{format_hhmm(start)}-{format_hhmm(end)} ends before it starts; "
                "an interval cannot cross midnight, split it in two days"
            )
    for (_, end), (start, _) in pairwise(ordered):
        if start < end:
            raise ValueError(f"open intervals overlap at {format_hhmm(start)}; merge them")
    return ordered


@dataclass(frozen=True)
class Calendar:
    """Open hours per weekday (Monday first) in ``tz``, minus ``closed`` dates (local dates)."""

    tz: ZoneInfo
    week: tuple[tuple[Interval, ...], ...]
    closed: Container[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days, Monday first")

    @property
    def has_open_time(self) -> bool:
        return any(self.week)

    def intervals_on(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals of one local date, as UTC instants."""
        if day in self.closed:
            return
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        for start, end in self.week[day.weekday()]:
            # Wall-clock addition on the local midnight, then UTC: 08:00 stays 08:00 on DST days.
            yield (
                _to_utc(midnight + timedelta(minutes=start)),
                _to_utc(midnight + timedelta(minutes=end)),
            )

    def _intervals_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals ending after ``at``, in order, for up to MAX_DAYS."""
        first = at.astimezone(self.tz).date() - timedelta(days=1)  # a DST day may start early
        for offset in range(MAX_DAYS):
            for start, end in self.intervals_on(first + timedelta(days=offset)):
                if end > at:
                    yield start, end

    def is_open(self, at: datetime) -> bool:
        at = _to_utc(at)
        day = at.astimezone(self.tz).date()
        return any(start <= at < end for start, end in self.intervals_on(day))

    def add(self, at: datetime, minutes: float) -> datetime | None:
        """The instant ``minutes`` of open time after ``at`` (None: never open in MAX_DAYS)."""
        at = _to_utc(at)
        left = timedelta(minutes=minutes)
        for start, end in self._intervals_from(at):
            begin = max(start, at)
            if left <= end - begin:
                return begin + left
            left -= end - begin
        return None

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Open time from ``start`` to ``end``; negative when ``end`` comes first."""
        start, end = _to_utc(start), _to_utc(end)
        if end < start:
            return -self.between(end, start)
        total = timedelta()
        for open_, close in self._intervals_from(start):
            if open_ >= end:
                break
            total += min(close, end) - max(open_, start)
        return total


def _to_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("business-time arithmetic needs timezone-aware datetimes")
    return at.astimezone(UTC)


def due_at(received: datetime, minutes: int, calendar: Calendar | None) -> datetime:
    """When a response is due: business time by a calendar with open hours, else wall-clock."""
    if calendar is not None and calendar.has_open_time:
        due = calendar.add(received, minutes)
        if due is not None:
            return due
    return _to_utc(received) + timedelta(minutes=minutes)


def parse_day_text(text: str) -> list[list[str]]:
    """Parse "08:00-11:30, 12:30-16:00" to [["08:00", "11:30"], ["12:30", "16:00"]]; "": closed."""
    intervals = []
    for part in text.replace("\N{EN DASH}", "-").split(","):
        if not part.strip():
            continue
        if part.count("-") != 1:
            raise ValueError(f"{part.strip()!r}: write an interval as 08:00-16:00")
        start, end = (p.strip() for p in part.split("-"))
        intervals.append([format_hhmm(parse_hhmm(start)), format_hhmm(parse_hhmm(end))])
    return intervals
