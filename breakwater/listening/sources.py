"""Reading listening sources through their connectors: feeds with the RSS connector, searches
with the channel's connector (``LISTEN_SEARCH``), streams with the channel's connector's
``listen_stream`` (``LISTEN_STREAM``, Bluesky's firehose). The worker polls every source whose
turn has come; a ``dedicated`` source, and every stream, is left to its own ``breakwater listen
--source ID`` process(es), which write through the same path (``store.store``). A stream's
partitions split it by author (``Partition.owns_author``); only posts that match a topic are
stored.

A cursor is saved in the transaction that stores the items it follows, so a crash between
fetch and store fetches the same items again (and the store deduplicates them). Partitioned
consumers (``--partition i/n``) each keep the items whose id hashes to their share, with a
cursor of their own.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from breakwater.connectors.base import Connector, ConnectorError, InboundItem, Page, get_connector_class
from breakwater.listening import store
from breakwater.listening.models import Source, SourceKind
from breakwater.listening.store import Candidate, StoreResult

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
MAX_BACKOFF = 3600


@dataclass(frozen=True)
class Partition:
    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Partition:
        try:
            index, count = (int(x) for x in text.split("/"))
        except ValueError:
            raise ValueError(f"a partition is i/n, e.g. 0/4, not {text!r}") from None
        if not (count >= 1 and 0 <= index < count):
            raise ValueError(f"partition {text}: i must be 0..n-1")
        return cls(index, count)

    @property
    def key(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, item: InboundItem) -> bool:
        if self.count == 1:
            return True
        digest = hashlib.blake2b(f"{item.network}:{item.external_id}".encode(), digest_size=8)
        return int.from_bytes(digest.digest(), "big") % self.count == self.index

    def owns_author(self, item: InboundItem) -> bool:
        """Streams split by author: each account's posts go to one partition, in order."""
        if self.count == 1:
            return True
        who = item.author.external_id if item.author else item.external_id
        digest = hashlib.blake2b(f"{item.network}:{who}".encode(), digest_size=8)
        return int.from_bytes(digest.digest(), "big") % self.count == self.index


WHOLE = Partition()


def connector_for(source: Source) -> Connector:
    if source.kind == SourceKind.FEED:
        return get_connector_class("rss")({"url": source.url})
    from breakwater.ingest.sync import connector_for as channel_connector

    assert source.channel is not None
    return channel_connector(source.channel)


def fetch(source: Source, cursor: str | None) -> Page:
    connector = connector_for(source)
    if source.kind == SourceKind.FEED:
        return connector.poll(cursor)
    return connector.search(source.query, cursor)


def _reach(item: InboundItem) -> int | None:
    for key in ("reach", "followers_count", "followers"):
        value = item.raw.get(key) if isinstance(item.raw, dict) else None
        if isinstance(value, int) and value >= 0:
            return value
    return None


def candidate(item: InboundItem, source_name: str) -> Candidate:
    author = item.author
    return Candidate(
        network=item.network, external_id=item.external_id, text=item.text or "",
        created_at=item.created_at, url=item.url or "",
        author=(author.handle or author.external_id) if author else "",
        author_name=author.name if author else "", reach=_reach(item), source_name=source_name,
    )


def _cursor(source: Source, partition: Partition) -> str | None:
    if partition.count == 1:
        return source.cursor or None
    return source.partition_cursors.get(partition.key) or source.cursor or None


def poll_source(source_id: int, partition: Partition = WHOLE) -> StoreResult:
    """Fetch one page (or pages while the connector says ``more``) and store it."""
    source = Source.objects.select_related("channel").get(pk=source_id)
    total = StoreResult()
    cursor = _cursor(source, partition)
    for _ in range(10):
        try:
            page = fetch(source, cursor)
        except ConnectorError as exc:
            _failed(source, exc)
            return total
        items = [i for i in page.items if partition.owns(i)]
        with transaction.atomic():
            result = store.store(source.workspace_id,
                                 [candidate(i, source.name) for i in items],
                                 source_id=source.pk, keep_unmatched=True)
            _fetched(source, partition, page, len(page.items))
        for name in ("seen", "matched", "stored", "duplicates"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        total.mention_ids.extend(result.mention_ids)
        cursor = page.cursor
        if not page.more:
            break
    return total


def _fetched(source: Source, partition: Partition, page: Page, seen: int) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {
        "last_polled_at": now, "last_error": "", "failures": 0,
        "items_seen": F("items_seen") + seen,
        "next_poll_at": now + timedelta(seconds=source.poll_seconds),
    }
    if partition.count == 1:
        fields["cursor"] = page.cursor or ""
    else:  # locked: the other partitions' processes write their own cursors beside
        cursors = dict(Source.objects.select_for_update().values_list(
            "partition_cursors", flat=True).get(pk=source.pk))
        cursors[partition.key] = page.cursor or ""
        fields["partition_cursors"] = cursors
    Source.objects.filter(pk=source.pk).update(**fields)


def _failed(source: Source, exc: ConnectorError) -> None:
    failures = source.failures + 1
    delay = exc.retry_after or min(source.poll_seconds * 2 ** failures, MAX_BACKOFF)
    now = timezone.now()
    Source.objects.filter(pk=source.pk).update(
        last_error=exc.message[:2000], last_error_at=now, failures=failures,
        next_poll_at=now + timedelta(seconds=delay),
    )
    log.warning("listening source %s: %s", source.pk, exc.message)


def claim_due(limit: int = 10) -> list[int]:
    """Sources the worker should poll now; each is leased so another worker leaves it."""
    now = timezone.now()
    due = Source.objects.filter(active=True, dedicated=False, next_poll_at__lte=now).exclude(
        kind=SourceKind.STREAM)  # a stream needs a process of its own (``consume_stream``)
    if not due.exists():  # look before SQLite's write lock
        return []
    claimed = []
    for pk, at in due.order_by("next_poll_at").values_list("pk", "next_poll_at")[:limit]:
        if Source.objects.filter(pk=pk, next_poll_at=at).update(next_poll_at=now + LEASE):
            claimed.append(pk)
    return claimed


def poll_due() -> int:
    stored = 0
    for source_id in claim_due():
        try:
            stored += poll_source(source_id).stored
        except Exception:
            log.exception("polling listening source %s failed", source_id)
    return stored


def consume(source_id: int, partition: Partition = WHOLE, *, once: bool = False,
            out: Any = None) -> None:
    """A consumer process for one high-volume source (``breakwater listen``): poll it again
    as soon as its interval passes, or at once while a page says more is ready. A stream
    source is read by ``consume_stream``."""
    if Source.objects.filter(pk=source_id, kind=SourceKind.STREAM).exists():
        consume_stream(source_id, partition, once=once, out=out)
        return
    while True:
        started = time.monotonic()
        result = poll_source(source_id, partition)
        source = Source.objects.get(pk=source_id)
        if out is not None:
            line = (f"source {source_id} partition {partition.key}: seen {result.seen}, "
                    f"matched {result.matched}, stored {result.stored}, "
                    f"duplicates {result.duplicates}")
            if source.last_error:
                line += f"; error: {source.last_error}"
            print(line, file=out, flush=True)
        if once:
            return
        time.sleep(max(source.poll_seconds - (time.monotonic() - started), 1.0))


def _add(total: StoreResult, result: StoreResult) -> None:
    for name in ("seen", "matched", "stored", "duplicates"):
        setattr(total, name, getattr(total, name) + getattr(result, name))
    total.mention_ids.extend(result.mention_ids)


def store_stream_page(source: Source, partition: Partition, page: Page) -> StoreResult:
    """One page of a stream: the partition's posts that match a topic become mentions (the
    rest are only counted), and the cursor moves, in one transaction."""
    items = [i for i in page.items if partition.owns_author(i)]
    with transaction.atomic():
        result = store.store(source.workspace_id, [candidate(i, source.name) for i in items],
                             source_id=source.pk)
        _fetched(source, partition, page, len(items))
    return result


def consume_stream(source_id: int, partition: Partition = WHOLE, *, once: bool = False,
                   seconds: float | None = None, out: Any = None) -> StoreResult:
    """A consumer process for a stream source (``breakwater listen --source ID``): read the
    connector's ``listen_stream`` from the partition's saved cursor on, storing each page as
    it comes; reconnect after an error. ``once``: stop at the first quiet second (what was
    waiting since the cursor is read); ``seconds``: stop after that long."""
    total = StoreResult()
    deadline = time.monotonic() + seconds if seconds else None

    def over() -> bool:
        return deadline is not None and time.monotonic() >= deadline

    while True:
        source = Source.objects.select_related("channel").get(pk=source_id)
        stream = connector_for(source).listen_stream(_cursor(source, partition))
        try:
            for page in stream:
                if page.items:
                    result = store_stream_page(source, partition, page)
                    _add(total, result)
                    if out is not None:
                        print(f"source {source_id} partition {partition.key}: "
                              f"read {len(page.items)}, matched {result.matched}, "
                              f"stored {result.stored}, duplicates {result.duplicates}, "
                              f"cursor {page.cursor}", file=out, flush=True)
                elif once:
                    return total
                if over():
                    return total
        except ConnectorError as exc:
            _failed(source, exc)
            if out is not None:
                print(f"source {source_id} partition {partition.key}: error: {exc.message}",
                      file=out, flush=True)
            if once or over():
                return total
            time.sleep(exc.retry_after or 10)
        finally:
            stream.close()
