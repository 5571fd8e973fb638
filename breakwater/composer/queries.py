"""Reads of the composer: saved replies to pick from, the approval queue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from breakwater.composer.actions import access_guidelines, network_rules
from breakwater.composer.models import Approval, ApprovalStatus, SavedReply
from breakwater.core.models import Membership


def saved_replies(member: Membership, q: str = "", limit: int = 50) -> list[SavedReply]:
    """The workspace's saved replies, those whose shortcut, name or text contain ``q`` first
    by shortcut, then by name."""
    qs = SavedReply.objects.filter(workspace_id=member.workspace_id)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(shortcut__icontains=q) | Q(name__icontains=q) | Q(text__icontains=q))
    rows = list(qs.order_by("name")[: limit * 2])
    rows.sort(key=lambda r: (not r.shortcut.startswith(q.lower()), r.name.lower()))
    return rows[:limit]


def approvals(member: Membership, status: str | None = ApprovalStatus.PENDING,
              limit: int = 100) -> list[Approval]:
    """The queue: oldest waiting first; decided ones newest first."""
    qs = Approval.objects.filter(workspace_id=member.workspace_id).select_related(
        "requested_by", "decided_by")
    if status:
        qs = qs.filter(status=status)
    order = ("requested_at", "pk") if status == ApprovalStatus.PENDING else ("-requested_at", "-pk")
    return list(qs.order_by(*order)[:limit])


def reply_box(workspace_id: int, network: str,
              channel_config: Mapping[str, Any] | None = None) -> dict[str, object]:
    """What a conversation's reply box shows beside the text: the guidelines (tone notes) and
    the limit of the channel's network (its server's own, where servers differ)."""
    rules = network_rules(network, channel_config)
    return {"guidelines": access_guidelines(workspace_id), "limit": rules.max_length,
            "network_label": rules.label}
