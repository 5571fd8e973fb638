"""Cadence: gaps (a week below a channel's target) and bursts (two posts closer than the
channel's minimum interval). Pure: plain values in, flags out.

Weeks are ISO weeks (Monday to Sunday) in the workspace's time zone; a burst is flagged on
the local date of the later of the two posts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Target:
    posts_per_week: int
    min_interval_minutes: int


@dataclass(frozen=True)
class Slot:
    """A post on a channel at an instant (timezone-aware)."""

    post_id: int
    channel_id: int
    at: datetime


@dataclass(frozen=True)
class Flag:
    kind: str  # "gap" | "burst"
    channel_id: int
    date: date  # gap: the Monday of the week; burst: the local date of the later post
    count: int = 0  # gap: posts that week
    target: int = 0  # gap: posts_per_week; burst: min_interval_minutes
    post_ids: tuple[int, ...] = ()  # burst: the two posts
    minutes: int = 0  # burst: how far apart they are

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "channel": self.channel_id, "date": self.date.isoformat(),
                "count": self.count, "target": self.target, "posts": list(self.post_ids),
                "minutes": self.minutes}


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_between(start: date, end: date) -> list[date]:
    """The Mondays of the ISO weeks that lie wholly inside ``start``..``end`` (inclusive):
    a gap is only a gap in a week the range covers completely."""
    first = monday(start) if start.weekday() == 0 else monday(start) + timedelta(days=7)
    weeks = []
    while first + timedelta(days=6) <= end:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def flags(slots: Iterable[Slot], targets: Mapping[int, Target], tz: str, start: date,
          end: date) -> list[Flag]:
    """Every gap and burst of the channels with a target, for local dates ``start``..``end``."""
    zone = ZoneInfo(tz)
    by_channel: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_channel[slot.channel_id].append(slot)
    found: list[Flag] = []
    for channel_id, target in sorted(targets.items()):
        posts = sorted(by_channel.get(channel_id, []), key=lambda s: (s.at, s.post_id))
        found.extend(_bursts(channel_id, posts, target, zone, start, end))
        found.extend(_gaps(channel_id, posts, target, zone, start, end))
    return sorted(found, key=lambda f: (f.date, f.channel_id, f.kind))


def _bursts(channel_id: int, posts: list[Slot], target: Target, zone: ZoneInfo, start: date,
            end: date) -> Iterable[Flag]:
    limit = timedelta(minutes=target.min_interval_minutes)
    for before, after in zip(posts, posts[1:], strict=False):
        apart = after.at - before.at
        day = after.at.astimezone(zone).date()
        if apart < limit and start <= day <= end:
            yield Flag("burst", channel_id, day, target=target.min_interval_minutes,
                       post_ids=(before.post_id, after.post_id),
                       minutes=int(apart.total_seconds() // 60))


def _gaps(channel_id: int, posts: list[Slot], target: Target, zone: ZoneInfo, start: date,
          end: date) -> Iterable[Flag]:
    per_week: dict[date, int] = defaultdict(int)
    for slot in posts:
        per_week[monday(slot.at.astimezone(zone).date())] += 1
    for week in weeks_between(start, end):
        if per_week[week] < target.posts_per_week:
            yield Flag("gap", channel_id, week, count=per_week[week], target=target.posts_per_week)


def post_flags(found: Iterable[Flag]) -> dict[int, list[str]]:
    """Which posts a burst flag names: ``{post_id: ["burst"]}`` for the calendar."""
    marked: dict[int, list[str]] = defaultdict(list)
    for flag in found:
        if flag.kind == "burst":
            for post_id in flag.post_ids:
                if "burst" not in marked[post_id]:
                    marked[post_id].append("burst")
    return dict(marked)
