"""Reads: the workspace's rules, a rule's dry run over history, the team's workload."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from breakwater.automation import facts as stored
from breakwater.automation.actions import check_body
from breakwater.automation.models import AssignmentPolicy, Rule
from breakwater.automation.rules import Conditions, evaluate, parsed_query
from breakwater.core.actions import check_role
from breakwater.core.errors import Invalid
from breakwater.core.models import AuditLog, Membership, Role
from breakwater.inbox import search
from breakwater.inbox.models import Conversation, Direction, Message, Status

MAX_DAYS = 365
DRY_RUN_CHUNK = 2_000
EXAMPLES = 5
EXCERPT = 160


def list_rules(member: Membership) -> QuerySet:
    return Rule.objects.filter(workspace_id=member.workspace_id).order_by("position", "id")


def list_policies(member: Membership) -> QuerySet:
    return (AssignmentPolicy.objects.filter(workspace_id=member.workspace_id)
            .select_related("channel", "tag").order_by("id"))


# -- dry run -------------------------------------------------------------------------------


@dataclass
class DryRun:
    matched: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


def _prefilter(qs: QuerySet, conditions: Conditions) -> QuerySet:
    """What the database can decide; the rest (time window, exact handles) is checked in
    Python by the same code as on ingest. Never narrower than the rule itself."""
    if conditions.networks:
        qs = qs.filter(network__in=conditions.networks)
    if conditions.channels:
        qs = qs.filter(channel_id__in=conditions.channels)
    if conditions.kinds:
        qs = qs.filter(kind__in=conditions.kinds)
    if conditions.languages:
        language = Q(language__in=conditions.languages)
        if "und" in conditions.languages:
            language |= Q(language="")
        qs = qs.filter(language)
    if conditions.sentiments:
        qs = qs.filter(sentiment__in=conditions.sentiments)
    if conditions.text:
        qs = qs.filter(search.message_filter(parsed_query(conditions.text)))
    contact = conditions.contact
    if contact and contact.first_time:
        earlier = Message.objects.filter(
            direction=Direction.IN, author__contact_id=OuterRef("author__contact_id"),
            created_at__lt=OuterRef("created_at"),
        )
        qs = qs.filter(author__isnull=False).filter(~Exists(earlier))
    if contact and contact.handles:
        who = Q()
        for handle in contact.handles:
            who |= Q(author__handle__iexact=handle) | Q(author__handle__iexact="@" + handle)
            who |= Q(author__external_id__iexact=handle)
        qs = qs.filter(who)
    return qs


def dry_run(member: Membership, conditions: Any, days: int = 30) -> DryRun:
    """How many inbound messages of the last ``days`` the conditions match, newest first
    examples. Read in id chunks, so memory stays flat over any history."""
    check_role(member, Role.MANAGER)
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"days: give 1 to {MAX_DAYS}", [{"field": "days", "message": "1-365"}])
    parsed = check_body(member, conditions, []).conditions
    since = timezone.now() - timedelta(days=days)
    qs = _prefilter(
        Message.objects.filter(workspace_id=member.workspace_id, direction=Direction.IN,
                               created_at__gte=since),
        parsed,
    )
    tz = member.workspace.timezone
    is_open = stored.business_hours(member.workspace_id)
    first_time = bool(parsed.contact and parsed.contact.first_time)
    result, below = DryRun(), None
    newest: list[tuple[datetime, int, tuple[Any, ...]]] = []
    while True:
        chunk_qs = qs if below is None else qs.filter(pk__lt=below)
        rows = list(stored.rows(chunk_qs.order_by("-pk")[:DRY_RUN_CHUNK]))
        for row in rows:
            facts = stored.to_facts(row, tz, is_open)
            facts.first_time = first_time  # decided by the database above
            if evaluate(parsed, facts):
                result.matched += 1
                newest.append((facts.created_at, row[0], row))
        # The newest by their time on the network (ids follow arrival, not that time).
        newest = heapq.nlargest(EXAMPLES, newest)
        if len(rows) < DRY_RUN_CHUNK:
            result.examples = [_example(row) for _, _, row in newest]
            return result
        below = rows[-1][0]


def _example(row: tuple[Any, ...]) -> dict[str, Any]:
    text = row[stored.COLUMNS.index("text")] or ""
    return {
        "message_id": row[0],
        "conversation_id": row[1],
        "text": text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…",
        "created_at": row[stored.COLUMNS.index("created_at")],
        "network": row[stored.COLUMNS.index("network")],
    }


# -- workload ------------------------------------------------------------------------------


@dataclass
class MemberLoad:
    user_id: int
    name: str
    email: str
    role: str
    availability: str
    open: int = 0
    pending: int = 0
    assigned_today: int = 0
    oldest_waiting_at: datetime | None = None


def _today_start(tz: str) -> datetime:
    local = timezone.now().astimezone(ZoneInfo(tz))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def workload(member: Membership) -> list[MemberLoad]:
    """Per member: availability, open and pending conversations assigned, assignments made
    today (workspace time zone, from the audit log), and the oldest open one's last message."""
    check_role(member, Role.VIEWER)
    ws = member.workspace_id
    members = (Membership.objects.filter(workspace_id=ws, user__is_active=True)
               .select_related("user").order_by("user__name", "user__email"))
    loads = {m.user_id: MemberLoad(m.user_id, m.user.display_name, m.user.email, m.role,
                                   m.availability) for m in members}
    counts = (Conversation.objects.filter(workspace_id=ws, assignee_id__in=list(loads),
                                          status__in=(Status.OPEN, Status.PENDING))
              .values_list("assignee_id", "status").annotate(n=Count("id"), oldest=Min(
                  "last_inbound_at")))
    for user_id, status, n, oldest in counts:
        setattr(loads[user_id], status, n)
        if status == Status.OPEN:
            loads[user_id].oldest_waiting_at = oldest
    by_email = {load.email: load for load in loads.values()}
    assigned = AuditLog.objects.filter(
        workspace_id=ws, action="conversation.updated", target_type="conversation",
        created_at__gte=_today_start(member.workspace.timezone), data__has_key="assignee",
    ).values_list("data__assignee", flat=True)
    for email in assigned:
        if email in by_email:
            by_email[email].assigned_today += 1
    return list(loads.values())
