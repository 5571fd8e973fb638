"""Alerts: volume spikes, negative-sentiment surges and new high-reach mentions, shown in the
app and sent to the workspace's alert destinations (email; a webhook signed like the API
channel's replies: ``X-Breakwater-Signature: sha256=<HMAC-SHA256 of the body>``).

One event is one alert: the alert's ``key`` names the event (``spike:<topic>:<start hour>``,
``reach:<mention>``), unique per workspace, and after an alert of a kind on a topic, the same
kind on that topic stays quiet for ``BREAKWATER_LISTENING_QUIET_HOURS`` (6 by default), so a
spike that lasts an afternoon, checked every few minutes, alerts once.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from breakwater.connectors.api.connector import SIGNATURE_HEADER, sign
from breakwater.connectors.base import ConnectorError
from breakwater.core import events
from breakwater.lib import http
from breakwater.listening.models import (
    Alert,
    AlertDelivery,
    AlertDestination,
    AlertDestinationKind,
    AlertKind,
    DeliveryStatus,
    Mention,
    Topic,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
SWEEP_SECONDS = 300.0  # how often each workspace's topics are checked for spikes
_last_sweep: dict[int, float] = {}


def quiet_period() -> timedelta:
    return timedelta(hours=float(getattr(settings, "BREAKWATER_LISTENING_QUIET_HOURS", 6)))


def reach_threshold() -> int:
    return int(getattr(settings, "BREAKWATER_LISTENING_HIGH_REACH", 10_000))


def raise_alert(workspace_id: int, kind: str, key: str, title: str, *,
                topic_id: int | None = None, detail: dict[str, Any] | None = None) -> Alert | None:
    """Record an alert and queue it for every destination; None when the event had one
    already, or the topic's quiet period for this kind is running."""
    now = timezone.now()
    if Alert.objects.filter(workspace_id=workspace_id, key=key).exists():
        return None
    if topic_id is not None and Alert.objects.filter(
        workspace_id=workspace_id, kind=kind, topic_id=topic_id,
        created_at__gt=now - quiet_period(),
    ).exists():
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(workspace_id=workspace_id, kind=kind, key=key[:200],
                                         title=title[:300], topic_id=topic_id,
                                         detail=detail or {}, created_at=now)
            AlertDelivery.objects.bulk_create([
                AlertDelivery(alert=alert, destination=d, next_attempt_at=now)
                for d in AlertDestination.objects.filter(workspace_id=workspace_id)
            ])
    except IntegrityError:
        return None  # another process raised it first
    events.publish(workspace_id, "listening.alert", alert_id=alert.pk, kind=kind)
    return alert


def on_stored(workspace_id: int, mentions: Sequence[Mention]) -> None:
    """New mentions that matched a topic: alert on each one with a high reach."""
    threshold = reach_threshold()
    for m in mentions:
        if m.reach is not None and m.reach >= threshold:
            raise_alert(
                workspace_id, AlertKind.REACH, f"reach:{m.pk}",
                f"High-reach mention by {m.author or m.author_name or m.network} "
                f"({m.reach:,} reach)",
                detail={"mention": m.pk, "url": m.url, "text": m.text[:500], "reach": m.reach},
            )


def check_topic(topic: Topic, now: Any = None) -> list[Alert]:
    """Alert on the topic's spikes of the last hours (volume and negative sentiment)."""
    from breakwater.listening import queries

    raised = []
    for negative in (False, True):
        kind = AlertKind.NEGATIVE if negative else AlertKind.SPIKE
        for spike in queries.detect_spikes(topic, days=1, negative=negative, now=now):
            what = "Negative mentions surge" if negative else "Mention spike"
            alert = raise_alert(
                topic.workspace_id, kind, f"{kind}:{topic.pk}:{spike.start.isoformat()}",
                f"{what} on {topic.name}: {spike.count} mentions, "
                f"{spike.expected:.0f} expected",
                topic_id=topic.pk,
                detail={"start": spike.start.isoformat(), "end": spike.end.isoformat(),
                        "mentions": spike.count, "expected": spike.expected, "peak": spike.peak},
            )
            if alert is not None:
                raised.append(alert)
    return raised


def check_spikes(workspace_id: int | None = None, *, force: bool = False) -> int:
    """Check the active topics of every workspace (or one) whose turn has come."""
    qs = Topic.objects.filter(active=True)
    if workspace_id is not None:
        qs = qs.filter(workspace_id=workspace_id)
    raised = 0
    now = time.monotonic()
    by_workspace: dict[int, list[Topic]] = {}
    for topic in qs.order_by("workspace_id", "pk"):
        by_workspace.setdefault(topic.workspace_id, []).append(topic)
    for ws, topics in by_workspace.items():
        if not force and now - _last_sweep.get(ws, -SWEEP_SECONDS) < SWEEP_SECONDS:
            continue
        _last_sweep[ws] = now
        for topic in topics:
            raised += len(check_topic(topic))
    return raised


# -- delivery ------------------------------------------------------------------------------


def payload(alert: Alert) -> dict[str, Any]:
    return {
        "type": "listening.alert",
        "alert": {
            "id": alert.pk, "kind": alert.kind, "title": alert.title,
            "topic": alert.topic_id, "created_at": alert.created_at.isoformat(),
            "detail": alert.detail,
        },
    }


def _send(delivery: AlertDelivery) -> None:
    destination, alert = delivery.destination, delivery.alert
    if destination.kind == AlertDestinationKind.EMAIL:
        body = alert.title + "\n\n" + "\n".join(f"{k}: {v}" for k, v in alert.detail.items())
        try:
            send_mail(f"[Breakwater] {alert.title}", body, None, [destination.address])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise ConnectorError(f"the mail server refused it: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectorError(f"could not reach the mail server: {exc}", retry_after=30) from exc
        return
    content = http.encode_json(payload(alert))
    http.post(destination.address, content, headers={
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(destination.secret, content),
        "X-Breakwater-Event": "listening.alert",
        "Idempotency-Key": f"alert-{alert.pk}-{destination.pk}",
    })


def deliver_due(limit: int = 50) -> int:
    """Send queued alert deliveries whose time has come; returns how many were tried."""
    now = timezone.now()
    due = AlertDelivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
    # Look before taking the write lock (SQLite takes it at BEGIN): most sweeps find nothing.
    if not due.exists():
        return 0
    tried = 0
    for delivery in due.select_related("alert", "destination").order_by("pk")[:limit]:
        claimed = AlertDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.QUEUED, attempts=delivery.attempts
        ).update(attempts=delivery.attempts + 1, next_attempt_at=now + timedelta(minutes=5))
        if not claimed:
            continue  # another worker has it
        delivery.attempts += 1
        tried += 1
        try:
            _send(delivery)
        except ConnectorError as exc:
            delivery.error = exc.message
            if exc.permanent or delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            else:
                delay = exc.retry_after or min(2 ** delivery.attempts, 300)
                delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            delivery.save(update_fields=["status", "error", "next_attempt_at"])
        else:
            delivery.status, delivery.error, delivery.sent_at = (
                DeliveryStatus.SENT, "", timezone.now())
            delivery.save(update_fields=["status", "error", "sent_at"])
    return tried
