"""Report periods and schedule times: pure date arithmetic, no database.

A period is a span of whole days in the workspace's time zone, both ends included (as the API's
``start``/``end``). Schedules run at ``SEND_HOUR`` local time, weekly on Mondays (covering the
previous Monday to Sunday) and monthly on the 1st (covering the previous calendar month), so a
report always covers a period that has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKLY = "weekly"
MONTHLY = "monthly"
SEND_HOUR = 7
PRESETS = ("last7", "last30", "this_month", "last_month", "custom")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one (period-over-period change)."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)


def preset(name: str, today: date) -> Period:
    """The period a date-range preset names, relative to ``today`` (in the workspace's zone)."""
    if name == "last7":
        return Period(today - timedelta(days=6), today)
    if name == "this_month":
        return Period(today.replace(day=1), today)
    if name == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end)
    return Period(today - timedelta(days=29), today)  # last30, the default


def parse_period(start: str | None, end: str | None, preset_name: str | None, today: date,
                 shown: tuple[str, str] | None = None) -> tuple[Period, str]:
    """The period of a request and the preset it came from ("custom" for own dates).

    A preset (other than "custom") wins unless the form's dates were edited: ``shown`` is the
    period the form showed, so a changed date means the person typed their own range. A bad or
    reversed range falls back to the last 30 days."""
    named = preset_name if preset_name in PRESETS and preset_name != "custom" else None
    edited = shown is None or (start, end) != shown
    if start and end and (named is None or edited):
        try:
            period = Period(date.fromisoformat(start), date.fromisoformat(end))
        except ValueError:
            period = None
        if period and period.start <= period.end and period.days <= 367:
            return period, "custom"
    name = named or "last30"
    return preset(name, today), name


def next_run(frequency: str, after: datetime, zone: str) -> datetime:
    """The first send time strictly after ``after`` (aware), as an aware UTC-comparable time."""
    tz = ZoneInfo(zone)
    local = after.astimezone(tz)
    day = local.date()
    for _ in range(40):
        if _is_send_day(frequency, day):
            candidate = datetime.combine(day, time(SEND_HOUR), tzinfo=tz)
            if candidate > after:
                return candidate
        day += timedelta(days=1)
    raise ValueError(f"unknown frequency {frequency!r}")  # unreachable for weekly/monthly


def _is_send_day(frequency: str, day: date) -> bool:
    if frequency == WEEKLY:
        return day.weekday() == 0
    if frequency == MONTHLY:
        return day.day == 1
    raise ValueError(f"unknown frequency {frequency!r}; one of weekly, monthly")


def covered(frequency: str, run_at: datetime, zone: str) -> Period:
    """The period a run at ``run_at`` reports on: the week or month that ended before it."""
    day = run_at.astimezone(ZoneInfo(zone)).date()
    if frequency == WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    if frequency == MONTHLY:
        end = day.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end)
    raise ValueError(f"unknown frequency {frequency!r}; one of weekly, monthly")
