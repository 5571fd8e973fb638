"""The durable inbound log and its drain.

``enqueue`` stores what arrived and returns; ``drain_once`` (run by workers) takes a batch
of pending rows and ingests them **in the same transaction** that marks them done. A
worker killed mid-batch therefore leaves its rows pending (its transaction never
commits, and on PostgreSQL its row locks go with its connection), and the next worker
processes them. Ingest is idempotent, so nothing is stored twice either.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from breakwater.ingest.models import EventState, InboundEvent
from breakwater.ingest.pipeline import IngestResult, ingest_items

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def enqueue(workspace_id: int, payloads: Iterable[Any], source: str = "api") -> int:
    """Durably store items for later processing; returns how many were stored."""
    rows = [InboundEvent(workspace_id=workspace_id, source=source, payload=p) for p in payloads]
    InboundEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def pending_count() -> int:
    return InboundEvent.objects.filter(state=EventState.PENDING).count()


def _claim(batch_size: int) -> list[InboundEvent]:
    qs = InboundEvent.objects.filter(state=EventState.PENDING).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        # Concurrent workers on PostgreSQL take disjoint batches.
        qs = qs.select_for_update(skip_locked=True)
    return list(qs[:batch_size])


def _finish(batch: list[InboundEvent], result: IngestResult) -> None:
    errors = {e.index: e.error for e in result.errors}
    now = timezone.now()
    for index, event in enumerate(batch):
        event.processed_at = now
        event.attempts += 1
        event.state = EventState.FAILED if index in errors else EventState.DONE
        event.error = errors.get(index, "")
    InboundEvent.objects.bulk_update(batch, ["state", "error", "attempts", "processed_at"])


def drain_once(batch_size: int | None = None) -> int:
    """Process one batch of pending events; returns how many were taken (0: nothing to do)."""
    batch_size = batch_size or settings.BREAKWATER_INGEST_BATCH
    try:
        with transaction.atomic():
            batch = _claim(batch_size)
            if not batch:
                return 0
            _process(batch)
        return len(batch)
    except Exception:
        log.exception("inbound batch failed; retrying its events one by one")
    return _drain_singly(batch_size)


def _process(batch: list[InboundEvent]) -> None:
    by_workspace: dict[int, list[InboundEvent]] = defaultdict(list)
    for event in batch:
        by_workspace[event.workspace_id].append(event)
    for workspace_id, events in by_workspace.items():
        result = ingest_items(workspace_id, [e.payload for e in events])
        _finish(events, result)


def _drain_singly(batch_size: int) -> int:
    """Isolate a poison event: each in its own transaction; one that keeps failing is parked."""
    done = 0
    for _ in range(batch_size):
        with transaction.atomic():
            batch = _claim(1)
            if not batch:
                break
            event = batch[0]
            try:
                with transaction.atomic():
                    _process(batch)
            except Exception as exc:
                event.attempts += 1
                event.error = f"{type(exc).__name__}: {exc}"[:2000]
                if event.attempts >= MAX_ATTEMPTS:
                    event.state = EventState.FAILED
                event.save(update_fields=["attempts", "error", "state"])
        done += 1
    return done


def drain_all(batch_size: int | None = None) -> int:
    total = 0
    while taken := drain_once(batch_size):
        total += taken
    return total
