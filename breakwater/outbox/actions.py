"""Outbox state changes: enqueue a delivery, run it through its connector exactly once.

States: queued -> sending -> sent | failed | unknown. ``sending`` is committed *before*
the network call, so a crash during the call leaves ``sending`` behind; the next attempt
then asks the network whether it already has the item before sending again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from breakwater.connectors.base import (
    Connector,
    ConnectorError,
    DeliveryResult,
    ItemAction,
    OutboundPost,
    OutboundReply,
    get_connector_class,
)
from breakwater.core import events
from breakwater.core.actions import channel_config, do_mark_channel_broken
from breakwater.core.models import Channel, ChannelStatus
from breakwater.outbox.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# What a delivery can be besides a reply: actions on an item already on the network.
ITEM_ACTIONS = ("hide", "unhide", "like")
# How long a delivery handed to a task, or being sent, is left alone before a sweep retries it.
LEASE = timedelta(minutes=5)


def ref_id(delivery: Delivery, kind: str) -> int | None:
    prefix = f"{kind}:"
    return int(delivery.ref[len(prefix):]) if delivery.ref.startswith(prefix) else None


def find_delivery(workspace_id: int, idempotency_key: str) -> Delivery | None:
    return Delivery.objects.filter(workspace_id=workspace_id, idempotency_key=idempotency_key).first()


def delivery_for(workspace_id: int, ref: str) -> Delivery | None:
    return Delivery.objects.filter(workspace_id=workspace_id, ref=ref).order_by("-pk").first()


def do_enqueue(*, workspace_id: int, channel_id: int, idempotency_key: str, ref: str,
               payload: dict[str, Any], action: str = "reply") -> Delivery:
    delivery = Delivery.objects.create(
        workspace_id=workspace_id,
        channel_id=channel_id,
        idempotency_key=idempotency_key,
        ref=ref,
        payload=payload,
        action=action,
        next_attempt_at=timezone.now() + LEASE,
    )
    from breakwater.outbox.tasks import deliver

    transaction.on_commit(lambda: deliver.enqueue(delivery.pk))
    return delivery


def _announce(delivery: Delivery) -> None:
    events.publish(
        delivery.workspace_id,
        "delivery.updated",
        workspace_id=delivery.workspace_id,
        delivery_id=delivery.pk,
        channel_id=delivery.channel_id,
        ref=delivery.ref,
        status=delivery.status,
        external_id=delivery.external_id,
        url=delivery.external_url,
        error=delivery.error,
    )


def _save(delivery: Delivery, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.updated_at = timezone.now()
    delivery.save(update_fields=[*fields, "updated_at"])
    _announce(delivery)


def _claim(delivery_id: int) -> tuple[Delivery, bool] | None:
    """Mark the delivery as sending; returns it and whether an earlier try's outcome is unknown."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
            return None
        if delivery.status == DeliveryStatus.SENDING and delivery.updated_at > timezone.now() - LEASE:
            return None  # another worker is sending it right now
        # An earlier attempt may have reached the network: it timed out after sending
        # (unknown), or its worker died mid-call (left in sending).
        uncertain = delivery.status in (DeliveryStatus.UNKNOWN, DeliveryStatus.SENDING)
        _save(delivery, status=DeliveryStatus.SENDING, attempts=delivery.attempts + 1)
    return delivery, uncertain


# Deliveries wait while their channel is paused or disconnected, and go when it is back.
HELD_CHANNEL = (ChannelStatus.PAUSED, ChannelStatus.DISCONNECTED)


def _hold_if_channel_off(delivery_id: int) -> bool:
    status = Delivery.objects.filter(pk=delivery_id).values_list("channel__status", flat=True).first()
    if status not in HELD_CHANNEL:
        return False
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status in (DeliveryStatus.QUEUED, DeliveryStatus.UNKNOWN):
            _save(delivery, error=f"waiting: the channel is {ChannelStatus(status).label.lower()}",
                  next_attempt_at=timezone.now() + LEASE)
    return True


def do_deliver(delivery_id: int) -> Delivery | None:
    """Send one delivery through its channel's connector. Safe to call again at any time."""
    if _hold_if_channel_off(delivery_id):
        return None
    claimed = _claim(delivery_id)
    if claimed is None:
        return None
    delivery, uncertain = claimed
    channel = Channel.objects.get(pk=delivery.channel_id)
    connector = get_connector_class(channel.network)(channel_config(channel), channel=channel.pk)
    try:
        result = _send(connector, delivery, uncertain)
    except ConnectorError as exc:
        with transaction.atomic():
            _failed(delivery, channel, exc)
        return delivery
    with transaction.atomic():
        _save(delivery, status=DeliveryStatus.SENT, external_id=result.external_id,
              external_url=result.url, error="")
    return delivery


def _send(connector: Connector, delivery: Delivery, uncertain: bool) -> DeliveryResult:
    if delivery.action in ITEM_ACTIONS:
        # Hiding or liking twice changes nothing: no need to ask the network first.
        connector.act(ItemAction(idempotency_key=delivery.idempotency_key, action=delivery.action,
                                 **delivery.payload))
        return DeliveryResult(external_id="")
    if delivery.action == "publish":
        post = OutboundPost.from_payload(delivery.idempotency_key, delivery.payload)
        found = connector.find_publication(post) if uncertain else None
        return found or connector.publish(post)
    reply = OutboundReply(idempotency_key=delivery.idempotency_key, **delivery.payload)
    found = connector.find_delivery(reply) if uncertain else None
    return found or connector.send_reply(reply)


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds before the next try: the network's ``Retry-After`` when it gave one, else
    exponential (2, 4, 8 ... at most 5 minutes)."""
    return retry_after if retry_after is not None else min(2.0 ** attempts, 300.0)


def _failed(delivery: Delivery, channel: Channel, exc: ConnectorError) -> None:
    if exc.permanent or delivery.attempts >= MAX_ATTEMPTS:
        if exc.reauth:
            do_mark_channel_broken(channel, exc.message)
        _save(delivery, status=DeliveryStatus.FAILED, error=exc.message)
        return
    # Unknown: the network may have it; the next try asks it first (see _claim).
    status = DeliveryStatus.UNKNOWN if exc.outcome_unknown else DeliveryStatus.QUEUED
    _save(delivery, status=status, error=exc.message,
          next_attempt_at=timezone.now() + timedelta(seconds=backoff(delivery.attempts, exc.retry_after)))


RETRYABLE = (DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN, DeliveryStatus.QUEUED)


def do_retry(delivery_id: int) -> bool:
    """Try a failed, unknown or waiting delivery now (a person pressed retry). An unknown
    one is still checked with the network first: its earlier attempts count."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status not in RETRYABLE:
            return False
        status = DeliveryStatus.UNKNOWN if delivery.status == DeliveryStatus.UNKNOWN else DeliveryStatus.QUEUED
        attempts = delivery.attempts if status == DeliveryStatus.UNKNOWN else 0
        _save(delivery, status=status, attempts=attempts, next_attempt_at=timezone.now() + LEASE)
    from breakwater.outbox.tasks import deliver

    transaction.on_commit(lambda: deliver.enqueue(delivery_id))
    return True


def claim_due_deliveries(limit: int = 100) -> list[int]:
    """Deliveries a worker should (re)send now: retries whose time has come, rows whose task
    was lost, and rows left in ``sending`` by a crash. Each is leased for ``LEASE`` so the
    next sweep does not enqueue it again while its task waits in the queue."""
    now = timezone.now()
    stale = now - LEASE
    due = Q(status__in=(DeliveryStatus.QUEUED, DeliveryStatus.UNKNOWN), next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, updated_at__lte=stale, next_attempt_at__lte=now
    )
    # Look before taking the write lock (SQLite takes it at BEGIN): most sweeps find nothing.
    if not Delivery.objects.filter(due).exists():
        return []
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return ids
