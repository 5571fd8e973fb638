"""Stored inbound messages as :class:`rules.Facts`: the one read that ingest, the sentiment
resume, the conversation trigger and the dry run share."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Min, QuerySet

from breakwater.automation.rules import Facts
from breakwater.inbox.models import Direction, Message
from breakwater.sla.calendar import Calendar
from breakwater.sla.due import calendar_for

COLUMNS = (
    "id", "conversation_id", "network", "channel_id", "kind", "text", "search_text", "language",
    "sentiment", "created_at", "author__handle", "author__external_id", "author__contact_id",
)


def rows(qs: QuerySet) -> Iterable[tuple[Any, ...]]:
    return qs.values_list(*COLUMNS)


def business_hours(workspace_id: int) -> Callable[[datetime], bool]:
    """Whether the workspace is open at a time; its calendar is read once, on first use."""
    calendar: Calendar | None = None

    def is_open(at: datetime) -> bool:
        nonlocal calendar
        if calendar is None:
            calendar = calendar_for(workspace_id)
        return calendar.is_open(at)

    return is_open


def to_facts(row: Sequence[Any], tz: str, is_open: Callable[[datetime], bool]) -> Facts:
    (_, _, network, channel_id, kind, text, search_text, language, sentiment, created_at,
     handle, external_id, _) = row
    return Facts(
        network=network, channel_id=channel_id, kind=kind, text=text or "",
        search_text=search_text or "", language=language or "", sentiment=sentiment or "",
        created_at=created_at, timezone=tz, handle=handle or "",
        author_external_id=external_id or "",
        is_open=functools.partial(is_open, created_at),
    )


def first_messages(workspace_id: int, contact_ids: Iterable[int]) -> dict[int, datetime]:
    """When each contact first wrote to the workspace (their oldest inbound message)."""
    ids = [c for c in set(contact_ids) if c]
    if not ids:
        return {}
    found = (
        Message.objects.filter(workspace_id=workspace_id, direction=Direction.IN,
                               author__contact_id__in=ids)
        .values_list("author__contact_id")
        .annotate(first=Min("created_at"))
    )
    return dict(found)


def mark_first_time(facts: Facts, row: Sequence[Any], firsts: dict[int, datetime]) -> None:
    contact_id, created_at = row[-1], row[COLUMNS.index("created_at")]
    facts.first_time = contact_id is not None and firsts.get(contact_id) == created_at
