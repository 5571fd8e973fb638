"""Who gets a conversation: round robin or least loaded over a pool of available members.

The same choice serves assignment policies (new conversations of a channel or with a tag)
and the rules' "assign automatically" action. The holder of the round-robin position (a
policy or a rule) is locked with ``select_for_update`` while choosing, so concurrent ingest
batches on PostgreSQL take turns instead of both giving work to the same person.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Model

from breakwater.core.models import Availability, Membership, Role
from breakwater.inbox.models import Conversation, Status

ROUND_ROBIN, LEAST_LOADED = "round_robin", "least_loaded"
TAKES_WORK = (Role.AGENT, Role.MANAGER, Role.ADMIN, Role.OWNER)
OPEN_WORK = (Status.OPEN, Status.PENDING)


def available_members(workspace_id: int, pool: Sequence[int] = ()) -> list[int]:
    """User ids of the pool (everyone who answers, when empty) that are available now."""
    qs = Membership.objects.filter(
        workspace_id=workspace_id, availability=Availability.AVAILABLE, role__in=TAKES_WORK,
        user__is_active=True,
    )
    if pool:
        qs = qs.filter(user_id__in=list(pool))
    return sorted(qs.values_list("user_id", flat=True))


def loads(workspace_id: int, user_ids: Sequence[int]) -> dict[int, int]:
    """Open and pending conversations assigned to each of ``user_ids``."""
    rows = (
        Conversation.objects.filter(workspace_id=workspace_id, assignee_id__in=list(user_ids),
                                    status__in=OPEN_WORK)
        .values_list("assignee_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def next_in_turn(candidates: Sequence[int], last: int | None) -> int:
    """The first candidate after ``last`` in id order, wrapping round."""
    return next((u for u in candidates if last is None or u > last), candidates[0])


def least_loaded(candidates: Sequence[int], load: dict[int, int]) -> int:
    return min(candidates, key=lambda u: (load.get(u, 0), u))


def choose(holder: type[Model], holder_id: int, workspace_id: int, mode: str,
           pool: Sequence[int]) -> int | None:
    """Pick the next assignee for ``holder`` (a Rule or an AssignmentPolicy); None if
    nobody in the pool is available. Records the choice on the locked holder row."""
    locked = holder._default_manager.select_for_update().filter(pk=holder_id).first()
    if locked is None:
        return None
    candidates = available_members(workspace_id, pool)
    if not candidates:
        return None
    if mode == ROUND_ROBIN:
        chosen = next_in_turn(candidates, locked.last_assigned_id)
    elif mode == LEAST_LOADED:
        chosen = least_loaded(candidates, loads(workspace_id, candidates))
    else:
        return None
    holder._default_manager.filter(pk=holder_id).update(last_assigned_id=chosen)
    return chosen
