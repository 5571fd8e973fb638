"""Response due times on conversations, from the workspace's targets and business hours.

A response is owed from the first inbound message after the brand's last outbound one
(``received_at``: when Breakwater got it, so a backfill of old posts is not overdue at once)
until a reply is queued, sent from the network's own app, or the conversation is done.
Ingest keeps ``response_due_at`` with one set-based pass per batch; the inbox actions'
changes (priority, status, replies) recompute it from the messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import holidays
from django.db.models import Case, DateTimeField, Exists, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from breakwater.core import events
from breakwater.core.models import Workspace
from breakwater.inbox.models import Conversation, DeliveryState, Direction, Message, Status
from breakwater.sla import calendar
from breakwater.sla.models import BusinessHours, Holiday, SlaTarget, default_week
from breakwater.sla.policy import Target, pick_target

# A reply held for approval, blocked or failed has not answered anyone yet.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_A_RESPONSE = (DeliveryState.NEEDS_APPROVAL, DeliveryState.BLOCKED, DeliveryState.FAILED)


class ClosedDates:
    """The workspace's own holidays plus, when switched on, Finland's public holidays."""

    def __init__(self, own: Iterable[date], finnish: bool):
        self.own = frozenset(own)
        # ``holidays`` fills in each year on first lookup, from data inside the package.
        self.public = holidays.country_holidays("FI") if finnish else None

    def __contains__(self, day: object) -> bool:
        return day in self.own or (self.public is not None and day in self.public)


def week_intervals(
    week: Sequence[Sequence[Sequence[str]]],
) -> tuple[tuple[calendar.Interval, ...], ...]:
    return tuple(
        tuple(
            calendar.check_intervals(
                [(calendar.parse_hhmm(a), calendar.parse_hhmm(b)) for a, b in day]
            )
        )
        for day in week
    )


def business_hours(workspace_id: int) -> BusinessHours:
    """The saved row, or the defaults (unsaved) while nobody has set them."""
    found = BusinessHours.objects.filter(workspace_id=workspace_id).first()
    return found or BusinessHours(workspace_id=workspace_id, week=default_week())


def calendar_for(workspace_id: int) -> calendar.Calendar:
    hours = business_hours(workspace_id)
    tz = Workspace.objects.filter(pk=workspace_id).values_list("timezone", flat=True).first()
    own = Holiday.objects.filter(workspace_id=workspace_id).values_list("date", flat=True)
    return calendar.Calendar(
        tz=ZoneInfo(tz or "Europe/Helsinki"),
        week=week_intervals(hours.week),
        closed=ClosedDates(own, hours.finnish_holidays),
    )


def is_open(workspace_id: int, at: datetime) -> bool:
    """Whether the workspace is within business hours at ``at`` (for rule conditions)."""
    return calendar_for(workspace_id).is_open(at)


def targets_for(workspace_id: int) -> list[Target]:
    return [
        Target(t.pk, t.priority, t.channel_id, t.minutes, t.business_hours)
        for t in SlaTarget.objects.filter(workspace_id=workspace_id)
    ]


class DueCalculator:
    """Due times for one workspace; loads its calendar only if a target needs it."""

    def __init__(self, workspace_id: int, targets: list[Target]):
        self.workspace_id = workspace_id
        self.targets = targets
        self._calendar: calendar.Calendar | None = None

    def due(self, received: datetime, priority: int, channel_id: int) -> datetime | None:
        target = pick_target(self.targets, priority, channel_id)
        if target is None:
            return None
        if not target.business_hours:
            return calendar.due_at(received, target.minutes, None)
        if self._calendar is None:
            self._calendar = calendar_for(self.workspace_id)
        return calendar.due_at(received, target.minutes, self._calendar)


def _write(due: dict[int, datetime | None]) -> None:
    """At most two UPDATEs for many conversations: one clears, one sets each its own time."""
    cleared = [pk for pk, at in due.items() if at is None]
    if cleared:
        Conversation.objects.filter(pk__in=cleared).update(response_due_at=None)
    times = {pk: at for pk, at in due.items() if at is not None}
    if times:
        Conversation.objects.filter(pk__in=list(times)).update(
            response_due_at=Case(
                *(When(pk=pk, then=Value(at)) for pk, at in times.items()),
                output_field=DateTimeField(),
            )
        )


@events.on("messages.ingested")
def on_ingested(event: dict) -> None:
    """One pass over the batch's conversations: a new unanswered message starts the clock (if
    it is not running already), an outbound item from the network stops it."""
    workspace_id, received = event["workspace_id"], event["received_at"]
    targets = targets_for(workspace_id)
    if not targets:
        return
    messages = Message.objects.filter(conversation_id=OuterRef("pk"))
    newest = messages.order_by("-created_at", "-id").values("direction")[:1]
    rows = (
        Conversation.objects.filter(pk__in=event["conversation_ids"])
        .annotate(
            newest=Subquery(newest),
            answered_now=Exists(messages.filter(direction=Direction.OUT, received_at=received)),
        )
        .values_list(
            "pk", "status", "priority", "channel_id", "response_due_at", "newest", "answered_now"
        )
    )
    calc = DueCalculator(workspace_id, targets)
    due: dict[int, datetime | None] = {}
    for pk, status, priority, channel_id, current, newest_dir, answered_now in rows:
        if status == Status.DONE or newest_dir == Direction.OUT:
            if current is not None:
                due[pk] = None
        elif current is None or answered_now:
            due[pk] = calc.due(received, priority, channel_id)
    _write(due)


def refresh(conversation_ids: Iterable[int]) -> None:
    """Recompute the due times of some conversations from their messages."""
    ids = list(conversation_ids)
    if not ids:
        return
    responses = Message.objects.filter(
        conversation_id=OuterRef("pk"), direction=Direction.OUT
    ).exclude(delivery_state__in=_NOT_A_RESPONSE)
    last_out = responses.order_by("-created_at").values("created_at")[:1]
    owed = (
        Message.objects.filter(
            conversation_id=OuterRef("pk"),
            direction=Direction.IN,
            created_at__gt=OuterRef("last_out"),
        )
        .order_by("received_at")
        .values("received_at")[:1]
    )
    rows = (
        Conversation.objects.filter(pk__in=ids)
        .annotate(last_out=Coalesce(Subquery(last_out), Value(EPOCH)))
        .annotate(owed_since=Subquery(owed))
        .values_list("pk", "workspace_id", "status", "priority", "channel_id", "owed_since")
    )
    calculators: dict[int, DueCalculator] = {}
    due: dict[int, datetime | None] = {}
    for pk, workspace_id, status, priority, channel_id, owed_since in rows:
        if workspace_id not in calculators:
            calculators[workspace_id] = DueCalculator(workspace_id, targets_for(workspace_id))
        due[pk] = (
            None
            if status == Status.DONE or owed_since is None
            else calculators[workspace_id].due(owed_since, priority, channel_id)
        )
    _write(due)


def refresh_workspace(workspace_id: int) -> None:
    """After the targets or hours changed: every conversation that may owe a response."""
    ids = (
        Conversation.objects.filter(workspace_id=workspace_id)
        .exclude(status=Status.DONE)
        .values_list("pk", flat=True)
    )
    for chunk in _chunks(list(ids), 500):
        refresh(chunk)


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


@events.on("conversations.changed")
def on_conversations_changed(event: dict) -> None:
    """Priority, status, a queued reply or a failed delivery: the due time follows. Ingest and
    the sentiment worker announce changes that leave it alone (``on_ingested`` handles ingest)."""
    if "messages" in event or event.get("sentiment"):
        return
    refresh(event.get("conversation_ids", ()))
