"""Normalized items -> stored conversations, in batches.

The steps, each one query (or one bulk write) per batch, never one per item:
validate -> dedupe on (channel, external_id) -> resolve authors to identities and contacts
-> thread into conversations by thread_key -> store messages -> update conversation
aggregates -> announce after commit.

Idempotent: an item seen before (same channel and external id) is counted as a duplicate
and changes nothing, so webhook and poll overlap, redelivery and replays are harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from breakwater.connectors.base import InboundItem, parse_item
from breakwater.core import events
from breakwater.core.models import Channel
from breakwater.inbox.models import (
    Contact,
    Conversation,
    DeliveryState,
    Identity,
    Message,
    Status,
)

PREVIEW_LENGTH = 280
# SQLite allows 32766 bound parameters; stay far below it in IN (...) lists.
LOOKUP_CHUNK = 900


@dataclass
class ItemError:
    index: int
    error: str


@dataclass
class IngestResult:
    received: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list[ItemError] = field(default_factory=list)
    conversation_ids: set[int] = field(default_factory=set)

    def merge(self, other: IngestResult, offset: int = 0) -> None:
        self.received += other.received
        self.created += other.created
        self.duplicates += other.duplicates
        self.errors.extend(ItemError(e.index + offset, e.error) for e in other.errors)
        self.conversation_ids |= other.conversation_ids

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "created": self.created,
            "duplicates": self.duplicates,
            "errors": [{"index": e.index, "error": e.error} for e in self.errors],
        }


def _chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _validate(workspace_id: int, raw_items: Sequence[Any],
              result: IngestResult) -> list[tuple[int, InboundItem]]:
    """Parse each item and check its channel; bad items become per-index errors."""
    parsed: list[tuple[int, InboundItem]] = []
    for index, raw in enumerate(raw_items):
        try:
            parsed.append((index, raw if isinstance(raw, InboundItem) else parse_item(raw)))
        except ValueError as exc:
            result.errors.append(ItemError(index, str(exc)))
    channel_ids = {item.channel for _, item in parsed}
    channels = {
        c.id: c for c in Channel.objects.filter(workspace_id=workspace_id, id__in=channel_ids)
    }
    valid = []
    for index, item in parsed:
        problem = _channel_problem(item, channels.get(item.channel))
        if problem:
            result.errors.append(ItemError(index, problem))
        else:
            valid.append((index, item))
    result.errors.sort(key=lambda e: e.index)
    return valid


def _channel_problem(item: InboundItem, channel: Channel | None) -> str:
    if channel is None:
        return f"channel: {item.channel} is not a channel of this workspace"
    # The API channel bridges any network; a network's own channel takes only its items.
    if channel.network not in ("api", item.network):
        return f"network: channel {channel.pk} is a {channel.network} channel, not {item.network}"
    return ""


def _drop_duplicates(items: list[tuple[int, InboundItem]],
                     result: IngestResult) -> list[InboundItem]:
    seen: set[tuple[int, str]] = set()
    fresh: list[InboundItem] = []
    for _, item in items:
        key = (item.channel, item.external_id)
        if key not in seen:
            seen.add(key)
            fresh.append(item)
    by_channel: dict[int, list[str]] = {}
    for channel_id, external_id in seen:
        by_channel.setdefault(channel_id, []).append(external_id)
    stored: set[tuple[int, str]] = set()
    for channel_id, external_ids in by_channel.items():
        for chunk in _chunks(external_ids):
            stored.update(
                Message.objects.filter(channel_id=channel_id, external_id__in=chunk).values_list(
                    "channel_id", "external_id"
                )
            )
    new = [item for item in fresh if (item.channel, item.external_id) not in stored]
    result.duplicates += len(items) - len(new)
    return new


def _resolve_identities(workspace_id: int, items: list[InboundItem]) -> dict[tuple[str, str], Identity]:
    """Find or create one identity (and contact) per author; returns them by (network, external id)."""
    wanted: dict[tuple[str, str], InboundItem] = {}
    for item in items:
        if item.author is not None:
            wanted.setdefault((item.network, item.author.external_id), item)
    found: dict[tuple[str, str], Identity] = {}
    by_network: dict[str, list[str]] = {}
    for network, external_id in wanted:
        by_network.setdefault(network, []).append(external_id)
    for network, external_ids in by_network.items():
        for chunk in _chunks(external_ids):
            for identity in Identity.objects.filter(
                workspace_id=workspace_id, network=network, external_id__in=chunk
            ):
                found[(identity.network, identity.external_id)] = identity
    missing = [key for key in wanted if key not in found]
    if missing:
        contacts = Contact.objects.bulk_create(
            [Contact(workspace_id=workspace_id, name=_author_name(wanted[k])) for k in missing]
        )
        identities = Identity.objects.bulk_create(
            [
                _new_identity(workspace_id, contact, wanted[key])
                for key, contact in zip(missing, contacts, strict=True)
            ]
        )
        found.update(zip(missing, identities, strict=True))
    return found


def _author_name(item: InboundItem) -> str:
    author = item.author
    assert author is not None
    return (author.name or author.handle or author.external_id)[:200]


def _new_identity(workspace_id: int, contact: Contact, item: InboundItem) -> Identity:
    author = item.author
    assert author is not None
    return Identity(
        workspace_id=workspace_id,
        contact=contact,
        network=item.network,
        external_id=author.external_id,
        handle=author.handle[:255],
        name=author.name[:255],
        avatar_url=author.avatar_url or "",
    )


class _Thread:
    """What one batch changes in one conversation."""

    __slots__ = ("conversation", "created", "items")

    def __init__(self, conversation: Conversation, created: bool):
        self.conversation = conversation
        self.created = created
        self.items: list[InboundItem] = []


def _resolve_threads(workspace_id: int, items: list[InboundItem],
                     channels: dict[int, Channel]) -> dict[tuple[int, str], _Thread]:
    keys: dict[tuple[int, str], InboundItem] = {}
    for item in items:
        keys.setdefault((item.channel, item.thread), item)
    threads: dict[tuple[int, str], _Thread] = {}
    by_channel: dict[int, list[str]] = {}
    for channel_id, thread_key in keys:
        by_channel.setdefault(channel_id, []).append(thread_key)
    for channel_id, thread_keys in by_channel.items():
        for chunk in _chunks(thread_keys):
            # Locked so that two workers adding to one thread keep its counters right.
            qs = Conversation.objects.select_for_update().filter(
                channel_id=channel_id, thread_key__in=chunk
            )
            for conv in qs:
                threads[(conv.channel_id, conv.thread_key)] = _Thread(conv, created=False)
    now = timezone.now()
    new_keys = [k for k in keys if k not in threads]
    new_convs = Conversation.objects.bulk_create(
        [_new_conversation(workspace_id, channels[k[0]], k[1], keys[k], now) for k in new_keys]
    )
    for key, conv in zip(new_keys, new_convs, strict=True):
        threads[key] = _Thread(conv, created=True)
    for item in items:
        threads[(item.channel, item.thread)].items.append(item)
    return threads


def _new_conversation(workspace_id: int, channel: Channel, thread_key: str, first: InboundItem,
                      now: datetime) -> Conversation:
    return Conversation(
        workspace_id=workspace_id,
        channel=channel,
        network=first.network,
        thread_key=thread_key,
        kind=first.kind,
        # A thread that so far holds only the brand's own post has nothing to answer.
        status=Status.OPEN if first.direction == "in" else Status.DONE,
        last_activity_at=first.created_at,
        created_at=now,
        updated_at=now,
    )


def _message(workspace_id: int, conv: Conversation, item: InboundItem,
             identities: dict[tuple[str, str], Identity], now: datetime) -> Message:
    author = identities.get((item.network, item.author.external_id)) if item.author else None
    return Message(
        workspace_id=workspace_id,
        conversation_id=conv.pk,
        channel_id=item.channel,
        network=item.network,
        external_id=item.external_id,
        direction=item.direction,
        kind=item.kind,
        parent_external_id=item.parent_external_id or "",
        author=author,
        text=item.text,
        html=item.html or "",
        media=item.media,
        url=item.url or "",
        is_public=item.public,
        created_at=item.created_at,
        received_at=now,
        delivery_state=DeliveryState.RECEIVED if item.direction == "in" else DeliveryState.SENT,
        raw=item.raw,
    )


def _apply_to_conversation(thread: _Thread, identities: dict[tuple[str, str], Identity],
                           now: datetime) -> None:
    """Fold the batch's items into the conversation's aggregates (in memory)."""
    conv = thread.conversation
    for item in sorted(thread.items, key=lambda i: i.created_at):
        conv.message_count += 1
        if item.created_at >= conv.last_activity_at or conv.message_count == 1:
            conv.last_activity_at = item.created_at
            if item.text:
                conv.preview = item.text[:PREVIEW_LENGTH]
        if item.direction == "in":
            _apply_inbound(conv, item, identities)
        elif conv.first_inbound_at and not conv.first_response_at and item.kind != "post":
            # A reply made in the network's own app still answers the customer.
            conv.first_response_at = item.created_at
    conv.updated_at = now


def _apply_inbound(conv: Conversation, item: InboundItem,
                   identities: dict[tuple[str, str], Identity]) -> None:
    if conv.first_inbound_at is None or item.created_at < conv.first_inbound_at:
        conv.first_inbound_at = item.created_at
    if conv.last_inbound_at is None or item.created_at > conv.last_inbound_at:
        conv.last_inbound_at = item.created_at
        if conv.status != Status.OPEN:
            conv.status = Status.OPEN
    if conv.kind == "post":
        conv.kind = item.kind
    if conv.contact_id is None and item.author is not None:
        identity = identities.get((item.network, item.author.external_id))
        conv.contact_id = identity.contact_id if identity else None


AGGREGATE_FIELDS = (
    "status", "kind", "contact_id", "preview", "message_count", "first_inbound_at",
    "last_inbound_at", "first_response_at", "last_activity_at", "updated_at",
)


def _save_aggregates(threads: Iterable[_Thread]) -> None:
    """One executemany for the batch: far cheaper than bulk_update's CASE chains."""
    table = Conversation._meta.db_table
    sets = ", ".join(f"{f} = %s" for f in AGGREGATE_FIELDS)
    rows = []
    for thread in threads:
        conv = thread.conversation
        rows.append([_db_value(getattr(conv, f)) for f in AGGREGATE_FIELDS] + [conv.pk])
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608


def _db_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _store(workspace_id: int, items: list[InboundItem], result: IngestResult) -> None:
    channels = {c.id: c for c in Channel.objects.filter(id__in={i.channel for i in items})}
    identities = _resolve_identities(workspace_id, items)
    threads = _resolve_threads(workspace_id, items, channels)
    now = timezone.now()
    messages = []
    for thread in threads.values():
        for item in thread.items:
            messages.append(_message(workspace_id, thread.conversation, item, identities, now))
        _apply_to_conversation(thread, identities, now)
    Message.objects.bulk_create(messages)
    _save_aggregates(threads.values())
    result.created += len(messages)
    ids = [t.conversation.pk for t in threads.values()]
    result.conversation_ids.update(ids)
    events.publish(
        workspace_id,
        "conversations.changed",
        conversation_ids=ids[:200],
        created=sum(1 for t in threads.values() if t.created),
        messages=len(messages),
    )


def ingest_items(workspace_id: int, raw_items: Sequence[Any]) -> IngestResult:
    """Store a batch of items (dicts or ``InboundItem``s) for one workspace.

    One bad item never drops the good ones: each is reported by its index.
    """
    result = IngestResult(received=len(raw_items))
    valid = _validate(workspace_id, raw_items, result)
    for attempt in range(3):
        try:
            with transaction.atomic():
                attempt_result = IngestResult()
                new = _drop_duplicates(valid, attempt_result)
                if new:
                    _store(workspace_id, new, attempt_result)
            break
        except IntegrityError:
            # Another writer stored some of these items between our check and insert
            # (PostgreSQL runs writers concurrently): check again, now they are duplicates.
            if attempt == 2:
                raise
    result.created += attempt_result.created
    result.duplicates += attempt_result.duplicates
    result.conversation_ids = attempt_result.conversation_ids
    return result
