"""Reads of listening: topics, mentions, the analysis series (DB aggregates over
``TopicMention``), spikes with their explanation, and each source's coverage and delay."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from breakwater.core.actions import in_workspace
from breakwater.core.models import Membership
from breakwater.listening import spikes as spikes_lib
from breakwater.listening.models import (
    Alert,
    Mention,
    Source,
    Topic,
    TopicGroup,
    TopicMention,
)

MAX_DAYS = 366
HASHTAG = re.compile(r"(?<![\w&])#(\w{2,100})")
HOUR = timedelta(hours=1)
TERM_SAMPLE = 3000  # mentions read for term counts (newest first)


def _tz(member_or_id: Membership | int) -> ZoneInfo:
    from breakwater.core.models import Workspace

    if isinstance(member_or_id, Membership):
        name = member_or_id.workspace.timezone
    else:
        name = Workspace.objects.values_list("timezone", flat=True).get(pk=member_or_id)
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def access_topic(member: Membership, topic_id: int) -> Topic:
    return in_workspace(member, Topic, topic_id, "topic")


def topics(member: Membership) -> list[Topic]:
    since = timezone.now() - timedelta(days=7)
    return list(
        Topic.objects.filter(workspace_id=member.workspace_id)
        .annotate(week=Count("links", filter=Q(links__created_at__gte=since)))
        .order_by("group", "name")
    )


def mentions(member: Membership, topic_id: int | None = None, *, limit: int = 50,
             before: int | None = None) -> list[Mention]:
    """Newest first (by id, a keyset: pass the last id seen as ``before``)."""
    qs = Mention.objects.filter(workspace_id=member.workspace_id)
    if topic_id is not None:
        access_topic(member, topic_id)
        qs = qs.filter(links__topic_id=topic_id)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(qs.select_related("source").order_by("-pk")[: max(1, min(limit, 500))])


def recent_mentions(workspace_id: int, limit: int = 1000) -> list[Mention]:
    """The stored history a topic's preview and dry run read."""
    return list(Mention.objects.filter(workspace_id=workspace_id).order_by("-pk")[:limit])


# -- series --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    labels: list[str]
    series: dict[str, list[int]]

    def as_dict(self) -> dict[str, Any]:
        return {"labels": self.labels, "series": self.series}


def _days(days: int) -> int:
    return max(1, min(int(days), MAX_DAYS))


def _day_labels(member: Membership, days: int) -> list[str]:
    today = timezone.now().astimezone(_tz(member)).date()
    return [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def volume(member: Membership, topic_ids: list[int], days: int = 30) -> Series:
    """Mentions per day (in the workspace's time zone) per topic."""
    days = _days(days)
    labels = _day_labels(member, days)
    found = {t.pk: t.name for t in Topic.objects.filter(workspace_id=member.workspace_id,
                                                        pk__in=topic_ids)}
    since = timezone.now() - timedelta(days=days)
    rows = (
        TopicMention.objects.filter(topic_id__in=list(found), created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=_tz(member)))
        .values_list("topic_id", "day").annotate(n=Count("id"))
    )
    counts = {(t, d.isoformat()): n for t, d, n in rows}
    return Series(labels, {found[t]: [counts.get((t, d), 0) for d in labels] for t in found})


SENTIMENTS = ("positive", "neutral", "negative")


def sentiment_trend(member: Membership, topic_id: int, days: int = 30) -> Series:
    """Mentions per day by sentiment label for one topic."""
    access_topic(member, topic_id)
    days = _days(days)
    labels = _day_labels(member, days)
    since = timezone.now() - timedelta(days=days)
    rows = (
        TopicMention.objects.filter(topic_id=topic_id, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=_tz(member)))
        .values_list("sentiment", "day").annotate(n=Count("id"))
    )
    counts = {(s or "neutral", d.isoformat()): n for s, d, n in rows}
    return Series(labels, {s: [counts.get((s, d), 0) for d in labels] for s in SENTIMENTS})


def share_of_voice(member: Membership, days: int = 30) -> list[dict[str, Any]]:
    """Each active brand and competitor topic's mentions and share of their total."""
    since = timezone.now() - timedelta(days=_days(days))
    rows = list(
        Topic.objects.filter(workspace_id=member.workspace_id, active=True,
                             group__in=[TopicGroup.BRAND, TopicGroup.COMPETITOR])
        .annotate(n=Count("links", filter=Q(links__created_at__gte=since)))
        .order_by("group", "name").values_list("pk", "name", "group", "n")
    )
    total = sum(r[3] for r in rows)
    return [
        {"topic": pk, "name": name, "group": group, "mentions": n,
         "share": round(n / total, 4) if total else 0.0}
        for pk, name, group, n in rows
    ]


def _term_counts(topic_id: int, since: datetime, until: datetime | None = None) -> Counter[str]:
    """Keywords (base forms and phrases) and ``#hashtags`` (lower-cased) per mention, over the
    newest ``TERM_SAMPLE`` mentions of the period."""
    qs = Mention.objects.filter(links__topic_id=topic_id, created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    counts: Counter[str] = Counter()
    for keywords, text in qs.order_by("-pk").values_list("keywords", "text")[:TERM_SAMPLE]:
        tags = {"#" + t.lower() for t in HASHTAG.findall(text or "")}
        counts.update(set(keywords or ()) | tags)
    return counts


def top_terms(member: Membership, topic_id: int, days: int = 30, limit: int = 10) -> dict[str, Any]:
    """The topic's most frequent terms, hashtags, authors and sources."""
    access_topic(member, topic_id)
    since = timezone.now() - timedelta(days=_days(days))
    terms = _term_counts(topic_id, since)
    base = TopicMention.objects.filter(topic_id=topic_id, created_at__gte=since)
    authors = (base.exclude(mention__author="").values_list("mention__author")
               .annotate(n=Count("id")).order_by("-n", "mention__author")[:limit])
    sources = (base.values_list("mention__source__name", "mention__network")
               .annotate(n=Count("id")).order_by("-n")[:limit])
    return {
        "terms": [[t, n] for t, n in terms.most_common(limit * 3) if not t.startswith("#")][:limit],
        "hashtags": [[t, n] for t, n in terms.most_common() if t.startswith("#")][:limit],
        "authors": [[a, n] for a, n in authors],
        "sources": [[name or network, n] for name, network, n in sources],
    }


def emerging_terms(member: Membership, topic_id: int, recent_days: int = 1,
                   baseline_days: int = 14, limit: int = 10) -> list[dict[str, Any]]:
    """Terms rising against their own baseline (the ``baseline_days`` before the recent ones)."""
    access_topic(member, topic_id)
    now = timezone.now()
    split = now - timedelta(days=recent_days)
    recent = _term_counts(topic_id, split)
    baseline = _term_counts(topic_id, split - timedelta(days=baseline_days), split)
    rising = spikes_lib.emerging(recent, baseline, recent_days, baseline_days, limit=limit)
    return [{"term": t, "count": n, "growth": g} for t, n, g in rising]


# -- spikes --------------------------------------------------------------------------------


def hourly_counts(topic_id: int, since: datetime, *, negative: bool = False,
                  tz: ZoneInfo | None = None) -> dict[datetime, int]:
    """Mentions per hour from ``since`` on, keyed by the hour's start as a naive wall time in
    ``tz``: the baseline compares the same wall-clock hour of the week across weeks, also over
    a daylight-saving change (whose doubled or missing hour just counts once)."""
    tz = tz or ZoneInfo("UTC")
    qs = TopicMention.objects.filter(topic_id=topic_id, created_at__gte=since)
    if negative:
        qs = qs.filter(sentiment="negative")
    rows = qs.annotate(hour=TruncHour("created_at", tzinfo=tz)).values_list("hour").annotate(
        n=Count("id"))
    counts: dict[datetime, int] = {}
    for hour, n in rows:
        wall = hour.astimezone(tz).replace(tzinfo=None)
        counts[wall] = counts.get(wall, 0) + n
    return counts


def first_mention_at(topic_id: int) -> datetime | None:
    return (TopicMention.objects.filter(topic_id=topic_id).order_by("created_at")
            .values_list("created_at", flat=True).first())


def detect_spikes(topic: Topic, days: int = 7, *, negative: bool = False,
                  settings: spikes_lib.Settings = spikes_lib.Settings(),
                  now: datetime | None = None) -> list[spikes_lib.Spike]:
    """The topic's spikes over the last ``days`` against its hour-of-week baseline."""
    tz = _tz(topic.workspace_id)
    first = first_mention_at(topic.pk)
    if first is None:
        return []
    now = now or timezone.now()
    history_since = now - timedelta(days=days) - spikes_lib.WEEK * settings.weeks - HOUR
    counts = hourly_counts(topic.pk, history_since, negative=negative, tz=tz)
    wall_now = now.astimezone(tz).replace(tzinfo=None)
    start = spikes_lib.floor_hour(wall_now - timedelta(days=days))
    history_start = spikes_lib.floor_hour(first.astimezone(tz).replace(tzinfo=None))
    found = spikes_lib.detect(counts, start, wall_now, settings, history_start=history_start)
    # Back to aware times in the workspace's zone for pages, the API and alert keys.
    return [replace(s, start=s.start.replace(tzinfo=tz), end=s.end.replace(tzinfo=tz))
            for s in found]


def spikes(member: Membership, topic_id: int, days: int = 7) -> list[dict[str, Any]]:
    topic = access_topic(member, topic_id)
    out = []
    for negative in (False, True):
        for s in detect_spikes(topic, days, negative=negative):
            out.append({"kind": "negative" if negative else "volume", "start": s.start,
                        "end": s.end, "mentions": s.count, "expected": round(s.expected, 1),
                        "peak": s.peak})
    out.sort(key=lambda s: s["start"], reverse=True)
    return out


def explain_spike(member: Membership, topic_id: int, start: datetime, end: datetime,
                  examples: int = 5) -> dict[str, Any]:
    """What made a spike: the terms over-represented in it against the weeks before, and
    example mentions (the most reached first, then the newest)."""
    topic = access_topic(member, topic_id)
    baseline_since = start - timedelta(days=28)
    spike_terms = _term_counts(topic.pk, start, end)
    baseline = _term_counts(topic.pk, baseline_since, start)
    links = TopicMention.objects.filter(topic_id=topic.pk)
    baseline_n = min(links.filter(created_at__gte=baseline_since, created_at__lt=start).count(),
                     TERM_SAMPLE)
    spike_n = min(links.filter(created_at__gte=start, created_at__lt=end).count(), TERM_SAMPLE)
    terms = spikes_lib.explain_terms(spike_terms, baseline, baseline_n, spike_n)
    sample = list(
        Mention.objects.filter(links__topic_id=topic.pk, created_at__gte=start,
                               created_at__lt=end)
        .order_by("-reach", "-created_at")[:examples]
    )
    total = links.filter(created_at__gte=start, created_at__lt=end).count()
    return {"topic": topic, "start": start, "end": end, "mentions": total,
            "terms": [{"term": t, "count": n, "lift": lift} for t, n, lift in terms],
            "examples": sample}


# -- sources and alerts --------------------------------------------------------------------


def source_health(source: Source, days: int = 7) -> dict[str, Any]:
    """Coverage (items stored per day over ``days``), delay (median seconds from the item's
    own time to stored, over the newest 500) and the last error."""
    since = timezone.now() - timedelta(days=days)
    qs = Mention.objects.filter(source_id=source.pk, received_at__gte=since)
    count = qs.count()
    delays = [
        max((received - created).total_seconds(), 0.0)
        for created, received in qs.order_by("-pk").values_list("created_at", "received_at")[:500]
    ]
    return {
        "per_day": round(count / days, 1),
        "delay_seconds": round(median(delays), 1) if delays else None,
        "last_error": source.last_error,
        "last_error_at": source.last_error_at,
        "last_polled_at": source.last_polled_at,
    }


def sources(member: Membership) -> list[tuple[Source, dict[str, Any]]]:
    rows = Source.objects.filter(workspace_id=member.workspace_id).select_related("channel")
    return [(s, source_health(s)) for s in rows.order_by("kind", "name")]


def alerts(member: Membership, limit: int = 50) -> list[Alert]:
    return list(Alert.objects.filter(workspace_id=member.workspace_id)
                .select_related("topic").prefetch_related("deliveries")
                .order_by("-created_at")[:limit])


def unread_alerts(member: Membership) -> int:
    return Alert.objects.filter(workspace_id=member.workspace_id, read_at__isnull=True).count()
