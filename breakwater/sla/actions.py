"""Every change of business hours, holidays and SLA targets. Managers and up edit; due times
of the workspace's conversations follow each change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from breakwater.core import events
from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import Invalid
from breakwater.core.models import Channel, Membership, Role
from breakwater.inbox.models import Priority
from breakwater.sla import due
from breakwater.sla.models import BusinessHours, Holiday, SlaTarget

MAX_TARGET_MINUTES = 60 * 24 * 60  # sixty days
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class HoursChange:
    """A whole business-hours setting: seven days of ["HH:MM", "HH:MM"] intervals, Monday first."""

    week: Sequence[Sequence[Sequence[str]]]
    finnish_holidays: bool = True
    holidays: Sequence[tuple[date, str]] = ()
    breaching_soon_minutes: int = 30


def check_hours(change: HoursChange) -> None:
    if len(change.week) != 7:
        raise Invalid("give seven days of open hours, Monday first (an empty list: closed)")
    for name, day in zip(WEEKDAYS, change.week, strict=True):
        if any(len(interval) != 2 for interval in day):
            raise Invalid(f'{name}: each interval is a pair of times, e.g. ["08:00", "16:00"]')
        try:
            due.week_intervals([day])
        except ValueError as exc:
            raise Invalid(f"{name}: {exc}") from None
    if not 1 <= change.breaching_soon_minutes <= 24 * 60:
        raise Invalid("'breaching soon' needs 1 to 1440 minutes")
    if len({d for d, _ in change.holidays}) != len(change.holidays):
        raise Invalid("a date is listed twice among the holidays; keep one")


def do_set_business_hours(member: Membership, change: HoursChange) -> BusinessHours:
    check_role(member, Role.MANAGER)
    check_hours(change)
    workspace_id = member.workspace_id
    with transaction.atomic():
        hours, _ = BusinessHours.objects.update_or_create(
            workspace_id=workspace_id,
            defaults={
                "week": [[list(i) for i in day] for day in change.week],
                "finnish_holidays": change.finnish_holidays,
                "breaching_soon_minutes": change.breaching_soon_minutes,
                "updated_at": timezone.now(),
            },
        )
        Holiday.objects.filter(workspace_id=workspace_id).delete()
        Holiday.objects.bulk_create(
            [Holiday(workspace_id=workspace_id, date=d, name=n[:100]) for d, n in change.holidays]
        )
        audit(
            member,
            workspace_id,
            "business_hours.updated",
            hours,
            week=hours.week,
            finnish_holidays=change.finnish_holidays,
            holidays=[d.isoformat() for d, _ in change.holidays],
        )
        _refresh(member)
    return hours


@dataclass(frozen=True)
class TargetChange:
    minutes: int
    priority: int | None = None
    channel_id: int | None = None
    business_hours: bool = True


def check_target(member: Membership, change: TargetChange, target_id: int | None = None) -> None:
    check_role(member, Role.MANAGER)
    if not 1 <= change.minutes <= MAX_TARGET_MINUTES:
        raise Invalid(f"a target needs 1 to {MAX_TARGET_MINUTES} minutes")
    if change.priority is not None and change.priority not in Priority.values:
        raise Invalid("priority must be 0..4 (none, low, normal, high, urgent) or empty for any")
    if (
        change.channel_id is not None
        and not Channel.objects.filter(
            pk=change.channel_id, workspace_id=member.workspace_id
        ).exists()
    ):
        raise Invalid(f"channel {change.channel_id} is not one of this workspace's channels")
    same = SlaTarget.objects.filter(
        workspace_id=member.workspace_id, priority=change.priority, channel_id=change.channel_id
    ).exclude(pk=target_id)
    if same.exists():
        raise Invalid("a target for this priority and channel exists already; edit that one")


def access_target(member: Membership, target_id: int) -> SlaTarget:
    return in_workspace(member, SlaTarget, target_id, "SLA target")


def do_create_target(member: Membership, change: TargetChange) -> SlaTarget:
    check_target(member, change)
    with transaction.atomic():
        target = SlaTarget.objects.create(
            workspace_id=member.workspace_id,
            minutes=change.minutes,
            priority=change.priority,
            channel_id=change.channel_id,
            business_hours=change.business_hours,
        )
        audit(member, member.workspace_id, "sla_target.created", target, **_described(target))
        _refresh(member)
    return target


def do_update_target(member: Membership, target_id: int, change: TargetChange) -> SlaTarget:
    with transaction.atomic():
        target = access_target(member, target_id)
        check_target(member, change, target_id)
        target.minutes, target.priority = change.minutes, change.priority
        target.channel_id, target.business_hours = change.channel_id, change.business_hours
        target.save(update_fields=["minutes", "priority", "channel", "business_hours"])
        audit(member, member.workspace_id, "sla_target.updated", target, **_described(target))
        _refresh(member)
    return target


def do_delete_target(member: Membership, target_id: int) -> None:
    check_role(member, Role.MANAGER)
    with transaction.atomic():
        target = access_target(member, target_id)
        audit(member, member.workspace_id, "sla_target.deleted", target, **_described(target))
        target.delete()
        _refresh(member)


def _described(target: SlaTarget) -> dict[str, object]:
    return {
        "minutes": target.minutes,
        "priority": target.priority,
        "channel": target.channel_id,
        "business_hours": target.business_hours,
    }


def _refresh(member: Membership) -> None:
    """Due times follow the new setting; open inbox pages reload their rows."""
    due.refresh_workspace(member.workspace_id)
    events.publish(member.workspace_id, "sla.changed", actor=member.user_id)
