"""The sync engine: each polling channel's turn, its cursor, its errors, and reconciliation.

A worker claims channels whose turn has come (with a lease, so two workers never poll one
channel at once), asks the connector for a page from the saved cursor, and stores the
items and the new cursor in one transaction. A crash between fetch and store leaves the
cursor where it was: the next turn fetches the same items, and ingest deduplicates them.

Reconciliation runs beside polling: now and then it asks the network for everything of the
last days and stores what was missing. Those items are gaps that polling, webhooks or
streams lost; each run records how many it closed.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from breakwater.connectors.base import (
    Connector,
    ConnectorError,
    Page,
    connector_classes,
    get_connector_class,
)
from breakwater.core import events
from breakwater.core.actions import channel_config, do_mark_channel_broken
from breakwater.core.models import Channel, ChannelStatus
from breakwater.ingest.models import ReconciliationRun, SyncState
from breakwater.ingest.pipeline import ingest_items

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_BACKOFF = 3600.0
# How often a channel is reconciled, and how recent an item may be for reconciliation to
# count it: newer ones are still polling's to fetch.
RECONCILE_EVERY = timedelta(hours=6)
RECONCILE_SETTLE = timedelta(minutes=10)


def connector_for(channel: Channel) -> Connector:
    return get_connector_class(channel.network)(channel_config(channel), channel=channel.pk)


def start(channel: Channel) -> None:
    """A channel that can be polled or streamed gets its sync state, due now; a reconnected
    one keeps its cursor."""
    cls = get_connector_class(channel.network)
    if not (cls.can_poll() or cls.can_stream()):
        return
    now = timezone.now()
    SyncState.objects.update_or_create(
        channel=channel, defaults={"next_poll_at": now, "failures": 0, "lease_until": None},
        create_defaults={"next_poll_at": now, "next_reconcile_at": now + RECONCILE_EVERY},
    )


def claim_due(limit: int = 20, *, reconcile: bool = False) -> list[int]:
    """Active channels whose poll (or reconciliation) is due, leased to this worker."""
    now = timezone.now()
    due = Q(next_reconcile_at__lte=now) if reconcile else Q(next_poll_at__lte=now)
    pollers = [key for key, cls in connector_classes().items() if cls.can_poll()]
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    candidates = SyncState.objects.filter(
        due, free, channel__status=ChannelStatus.ACTIVE, channel__network__in=pollers
    )
    # Look before taking the write lock (SQLite takes it at BEGIN): most turns find nothing.
    if not candidates.exists():
        return []
    with transaction.atomic():
        ids = list(
            candidates.select_for_update(skip_locked=True)
            .order_by("next_poll_at")
            .values_list("channel_id", flat=True)[:limit]
        )
        SyncState.objects.filter(channel_id__in=ids).update(lease_until=now + LEASE)
    return ids


def backoff(interval: float, failures: int, retry_after: float | None) -> float:
    """Seconds until the next try after ``failures`` failed ones in a row."""
    if retry_after is not None:
        return retry_after
    return min(interval * 2.0 ** failures, MAX_BACKOFF)


def _next_turn(connector: Connector, page: Page, now: datetime) -> datetime:
    budget = page.budget
    if budget is not None and budget.remaining <= 0 and budget.reset_at is not None:
        return max(budget.reset_at, now)
    if page.more:
        return now
    return now + timedelta(seconds=connector.poll_interval)


def _fetched(channel: Channel, page: Page) -> None:
    log.info("channel %s: fetched %d items", channel.pk, len(page.items))
    # Fault tests kill the worker here, between fetch and store (never set in production).
    if settings.BREAKWATER_SYNC_FAULT_PAUSE and page.items:
        time.sleep(settings.BREAKWATER_SYNC_FAULT_PAUSE)


def store_page(channel: Channel, connector: Connector, page: Page, *, streamed: bool = False) -> int:
    """Store a page's items and move the cursor past them, in one transaction. A streamed
    page leaves the poll's turn and lease alone: polls go on beside the stream."""
    _fetched(channel, page)
    now = timezone.now()
    budget = page.budget
    turn: dict[str, object] = {} if streamed else {
        "next_poll_at": _next_turn(connector, page, now), "lease_until": None,
    }
    if budget is not None:
        turn.update(budget_remaining=budget.remaining, budget_limit=budget.limit,
                    budget_reset_at=budget.reset_at)
    with transaction.atomic():
        result = ingest_items(channel.workspace_id, page.items)
        SyncState.objects.filter(pk=channel.pk).update(
            # A page without a cursor (a streamed event that carries none) keeps the saved one.
            cursor=F("cursor") if page.cursor is None else page.cursor,
            failures=0,
            last_success_at=now,
            last_error="",
            items_stored=F("items_stored") + result.created,
            **turn,
        )
        Channel.objects.filter(pk=channel.pk).update(last_sync_at=now)
    if result.errors:
        log.warning("channel %s: %d items refused: %s", channel.pk, len(result.errors), result.errors[:3])
    return result.created


def sync_channel(channel_id: int) -> int:
    """One poll of one channel: returns how many new items were stored."""
    channel = Channel.objects.get(pk=channel_id)
    connector = connector_for(channel)
    state = SyncState.objects.get(channel_id=channel_id)
    try:
        page = connector.poll(state.cursor or None)
    except ConnectorError as exc:
        _failed(channel, connector, state, exc)
        return 0
    return store_page(channel, connector, page)


def stream_channel(channel_id: int, stop: threading.Event) -> None:
    """Follow a streaming channel until ``stop`` is set or the stream fails (the caller
    starts it again after a pause); every page is stored with its cursor as it comes."""
    channel = Channel.objects.get(pk=channel_id)
    connector = connector_for(channel)
    state = SyncState.objects.get(channel_id=channel_id)
    try:
        for page in connector.stream(state.cursor or None):
            store_page(channel, connector, page, streamed=True)
            if stop.is_set() or not Channel.objects.filter(
                pk=channel_id, status=ChannelStatus.ACTIVE
            ).exists():
                return
    except ConnectorError as exc:
        _failed(channel, connector, SyncState.objects.get(channel_id=channel_id), exc)


def streaming_channels() -> list[int]:
    """Active channels whose connector streams: the worker keeps one stream open for each."""
    keys = [key for key, cls in connector_classes().items() if cls.can_stream()]
    return list(
        Channel.objects.filter(network__in=keys, status=ChannelStatus.ACTIVE, sync__isnull=False)
        .values_list("pk", flat=True)
    )


def _failed(channel: Channel, connector: Connector, state: SyncState, exc: ConnectorError) -> None:
    now = timezone.now()
    if exc.reauth or exc.permanent:
        # Retrying cannot help: the channel waits for a person (reconnect, new password).
        do_mark_channel_broken(channel, exc.message)
    delay = backoff(connector.poll_interval, state.failures, exc.retry_after)
    SyncState.objects.filter(pk=channel.pk).update(
        failures=state.failures + 1, last_error=exc.message[:2000], last_error_at=now,
        next_poll_at=now + timedelta(seconds=delay), lease_until=None,
    )
    log.info("channel %s: sync failed (%s), next try in %.0f s", channel.pk, exc.message, delay)


def reconcile_channel(channel_id: int) -> ReconciliationRun | None:
    """Compare the network's recent items with what was stored; store and count the gaps."""
    channel = Channel.objects.get(pk=channel_id)
    connector = connector_for(channel)
    state = SyncState.objects.get(channel_id=channel_id)
    now = timezone.now()
    SyncState.objects.filter(pk=channel_id).update(next_reconcile_at=now + RECONCILE_EVERY,
                                                   lease_until=None)
    if not connector.can_reconcile() or state.last_success_at is None:
        return None
    run = ReconciliationRun(channel=channel, started_at=now)
    try:
        items = connector.reconcile(now - timedelta(seconds=connector.reconcile_window))
    except ConnectorError as exc:
        run.error, run.finished_at = exc.message[:2000], timezone.now()
        run.save()
        return run
    settled = state.last_success_at - RECONCILE_SETTLE
    older = [i for i in items if i.created_at <= settled]
    result = ingest_items(channel.workspace_id, older)
    run.checked, run.recovered, run.finished_at = len(older), result.created, timezone.now()
    run.save()
    if run.recovered:
        log.warning("channel %s: reconciliation recovered %d missing items", channel_id, run.recovered)
    return run


def recovered_gaps(channel_id: int, days: int = 7) -> int:
    """Items reconciliation stored for the channel in the last ``days`` days."""
    since = timezone.now() - timedelta(days=days)
    total = ReconciliationRun.objects.filter(channel_id=channel_id, started_at__gte=since).aggregate(
        n=Sum("recovered")
    )["n"]
    return total or 0


def health(channel: Channel) -> dict[str, object]:
    """What a person (UI) or a monitor (API) needs to know about a channel's sync."""
    state = SyncState.objects.filter(channel=channel).first()
    return {
        "last_synced_at": channel.last_sync_at,
        "last_error": channel.status_detail or (state.last_error if state else ""),
        "last_error_at": state.last_error_at if state else None,
        "recovered_gaps": recovered_gaps(channel.pk),
        "next_sync_at": state.next_poll_at if state else None,
        "rate_limit_remaining": state.budget_remaining if state else None,
        "items_stored": state.items_stored if state else 0,
    }


def sync_once(limit: int = 20) -> int:
    """The worker's step: poll every due channel once; returns how many items were stored."""
    stored = 0
    for channel_id in claim_due(limit):
        try:
            stored += sync_channel(channel_id)
        except Exception:
            log.exception("channel %s: sync crashed; its lease expires and it is tried again", channel_id)
    for channel_id in claim_due(limit, reconcile=True):
        try:
            reconcile_channel(channel_id)
        except Exception:
            log.exception("channel %s: reconciliation crashed", channel_id)
    return stored


@events.on("channel.connected")
def _on_channel_connected(event: dict) -> None:
    start(Channel.objects.get(pk=event["channel_id"]))
