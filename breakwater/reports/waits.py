"""The kept table of response waits (``ResponseWait``), recomputed per conversation.

Triggers on the message table (installed by migration 0002) add every conversation whose
messages were inserted, deleted, moved or changed in direction, time, sender, delivery state
or spam flag to ``StaleWaits``. ``refresh`` recomputes the waits of a workspace's stale
conversations set-based (one DELETE and one INSERT ... SELECT with the window query below)
and is run by the ``messages.ingested`` and ``delivery.updated`` handlers and, so that no
change is ever missed (a reply saved by the inbox, an update made elsewhere), before every
report query that reads waits. Imported history may arrive out of order: a conversation's
waits are always rebuilt from all its messages, never appended to.

The rule (same as ``metrics.scope``): a wait starts at an inbound message that is not spam
and follows a response (or opens the conversation) and ends at the next response: an
outbound message not held for approval, blocked or failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

from breakwater.core import events
from breakwater.inbox.models import Message
from breakwater.reports.models import ResponseWait, StaleWaits

MESSAGE = Message._meta.db_table
WAIT = ResponseWait._meta.db_table
STALE = StaleWaits._meta.db_table
CHUNK = 500


def recompute_sql(in_sql: str) -> str:
    """INSERT ... SELECT of the waits of the conversations ``in_sql`` (an SQL set) lists."""
    # Imported here: the metrics package imports this module.
    from breakwater.reports.metrics.base import NOT_A_RESPONSE, epoch

    not_response = ", ".join(f"'{s}'" for s in NOT_A_RESPONSE)
    inbound = "m.direction = 'in' AND m.is_spam = false"
    response = f"m.direction = 'out' AND m.delivery_state NOT IN ({not_response})"
    return f"""
        INSERT INTO {WAIT} (workspace_id, conversation_id, channel_id, network, asked_at,
                            answered_at, answered_by_id, asked_epoch, answered_epoch)
        SELECT workspace_id, conversation_id, channel_id, network, asked, answered, answered_by,
            {epoch("asked")}, {epoch("answered")}
        FROM (
            SELECT conversation_id, grp,
                MIN(workspace_id) AS workspace_id,
                MIN(CASE WHEN direction = 'in' THEN created_at END) AS asked,
                MIN(CASE WHEN direction = 'in' THEN channel_id END) AS channel_id,
                MIN(CASE WHEN direction = 'in' THEN network END) AS network,
                MIN(CASE WHEN direction = 'out' THEN created_at END) AS answered,
                MAX(CASE WHEN direction = 'out' THEN sent_by_id END) AS answered_by
            FROM (
                SELECT m.workspace_id, m.conversation_id, m.channel_id, m.network, m.direction,
                    m.created_at, m.sent_by_id,
                    COALESCE(SUM(CASE WHEN m.direction = 'out' THEN 1 ELSE 0 END) OVER (
                        PARTITION BY m.conversation_id ORDER BY m.created_at, m.id
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS grp
                FROM {MESSAGE} m
                WHERE m.conversation_id IN ({in_sql}) AND (({inbound}) OR ({response}))
            ) numbered
            GROUP BY conversation_id, grp
        ) waits
        WHERE asked IS NOT NULL"""


def recompute(conversation_ids: Sequence[int]) -> None:
    """Rebuild the waits of these conversations from their messages (in chunks)."""
    ids = sorted({int(i) for i in conversation_ids})
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(f"DELETE FROM {WAIT} WHERE conversation_id IN ({marks})", chunk)
            cur.execute(recompute_sql(marks), chunk)
            cur.execute(f"DELETE FROM {STALE} WHERE conversation_id IN ({marks})", chunk)


def refresh(workspace_id: int) -> int:
    """Recompute the waits of the workspace's stale conversations; returns how many."""
    if not StaleWaits.objects.filter(workspace_id=workspace_id).exists():
        return 0
    with transaction.atomic():
        ids = list(StaleWaits.objects.filter(workspace_id=workspace_id)
                   .values_list("conversation_id", flat=True))
        recompute(ids)
    return len(ids)


def rebuild_all() -> int:
    """Recompute every conversation's waits (the backfill; ``bench reports`` after seeding)."""
    from breakwater.inbox.models import Conversation

    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 20 * CHUNK):
        recompute(ids[start:start + 20 * CHUNK])
    StaleWaits.objects.all().delete()
    return len(ids)


@events.on("messages.ingested")
def _on_ingested(event: dict) -> None:
    """The batch's conversations (marked stale by the insert trigger) get their waits now,
    in the ingest transaction."""
    refresh(event["workspace_id"])


@events.on("delivery.updated")
def _on_delivery_updated(event: dict) -> None:
    """A reply's delivery state decides whether it is a response (the update trigger marked
    its conversation stale)."""
    if str(event.get("ref", "")).startswith("message:") and event.get("workspace_id"):
        refresh(event["workspace_id"])
