"""Reads for the interfaces: a member's report request, checked and computed."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from breakwater.core.actions import in_workspace
from breakwater.core.errors import Invalid, NotFound
from breakwater.core.models import Channel, Membership
from breakwater.inbox.models import Tag
from breakwater.reports.metrics import METRICS, Filters, Result, UnknownMetric, compute

DEFAULT_DAYS = 30


def filters_for(member: Membership, start: date | None = None, end: date | None = None, *,
                channel: int | None = None, network: str | None = None, tag: int | None = None,
                member_id: int | None = None) -> Filters:
    """Filters for ``member``'s workspace; foreign or unknown channel, tag or member: 404.
    Without dates: the last 30 days up to today in the workspace's time zone."""
    tz = member.workspace.timezone
    if end is None:
        end = timezone.now().astimezone(ZoneInfo(tz or "Europe/Helsinki")).date()
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if channel is not None:
        in_workspace(member, Channel, channel, "channel")
    if tag is not None:
        in_workspace(member, Tag, tag, "tag")
    if member_id is not None and not Membership.objects.filter(
        workspace_id=member.workspace_id, user_id=member_id
    ).exists():
        raise NotFound(f"member {member_id} not found")
    try:
        return Filters(member.workspace_id, start, end, channel_id=channel,
                       network=network or None, tag_id=tag, member_id=member_id, timezone=tz)  # fmt: skip
    except ValueError as exc:
        raise Invalid(str(exc)) from None


def report(member: Membership, key: str, filters: Filters) -> Result:
    """Any member (viewers too) may read every report of their own workspace."""
    if filters.workspace_id != member.workspace_id:
        raise NotFound("workspace not found")
    try:
        return compute(key, filters)
    except UnknownMetric:
        raise NotFound(f"unknown metric {key!r}", detail={"metrics": list(METRICS)}) from None


def catalogue() -> list[dict[str, str]]:
    return [{"key": m.key, "label": str(m.label), "unit": m.unit, "shape": m.shape,
             "definition": m.definition} for m in METRICS.values()]  # fmt: skip
