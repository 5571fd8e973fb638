"""Read paths of feedback: the grouped view, a conversation's feedback, recent forwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from breakwater.core.models import Membership
from breakwater.feedback.models import Category, Destination, Feedback, Forward
from breakwater.inbox.models import Message

EXAMPLES = 3


@dataclass(frozen=True)
class FeedbackFilters:
    since: datetime | None = None
    until: datetime | None = None
    category: int | None = None
    channel: int | None = None


@dataclass
class Group:
    category: Category
    count: int
    examples: list[Feedback]


def categories(member: Membership) -> list[Category]:
    return list(
        Category.objects.filter(workspace_id=member.workspace_id).order_by("position", "pk")
    )


def filtered(member: Membership, filters: FeedbackFilters) -> QuerySet[Feedback]:
    qs = Feedback.objects.filter(workspace_id=member.workspace_id)
    if filters.since:
        qs = qs.filter(created_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(created_at__lt=filters.until)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.channel:
        qs = qs.filter(channel_id=filters.channel)
    return qs


def groups(member: Membership, filters: FeedbackFilters, examples: int = EXAMPLES) -> list[Group]:
    """Per category (in the workspace's order): how many, and the newest few."""
    qs = filtered(member, filters)
    counts = dict(qs.values_list("category_id").annotate(n=Count("pk")).order_by())
    found = []
    for category in categories(member):
        if not counts.get(category.pk):
            continue
        recent = list(
            qs.filter(category=category)
            .select_related("message__author", "channel", "created_by")
            .order_by("-created_at", "-pk")[:examples]
        )
        found.append(Group(category, counts[category.pk], recent))
    return found


def message_ids(member: Membership, filters: FeedbackFilters, limit: int) -> list[int]:
    """The newest ``limit`` filed messages under ``filters`` (what a group forward sends)."""
    return list(
        filtered(member, filters)
        .order_by("-created_at", "-pk")
        .values_list("message_id", flat=True)[:limit]
    )


def attach_to_messages(messages: list[Message]) -> None:
    """``m.filed``: each message's Feedback or None, for a whole thread in one query."""
    by_message = {
        f.message_id: f
        for f in Feedback.objects.filter(message_id__in=[m.pk for m in messages]).select_related(
            "category"
        )
    }
    for m in messages:
        m.filed = by_message.get(m.pk)  # type: ignore[attr-defined]


def for_thread(member: Membership, thread: list[Message]) -> dict[str, object]:
    """What a conversation page needs to file its messages as feedback and forward them."""
    attach_to_messages(thread)
    return {
        "feedback_categories": categories(member),
        "feedback_destinations": destinations(member),
    }


def destinations(member: Membership) -> list[Destination]:
    return list(Destination.objects.filter(workspace_id=member.workspace_id).order_by("name"))


def recent_forwards(member: Membership, limit: int = 20) -> list[Forward]:
    return list(
        Forward.objects.filter(workspace_id=member.workspace_id)
        .select_related("destination", "created_by")
        .order_by("-created_at")[:limit]
    )
