"""Normalized items -> stored conversations, in batches.

The steps, each one query (or one bulk write) per batch, never one per item:
validate -> dedupe on (channel, external_id) -> resolve authors to identities and contacts
-> thread into conversations by thread_key -> analyse the new items (language, search
lemmas, keywords, spam: ``ingest/enrich.py``) -> store messages -> update conversation
aggregates -> announce after commit. Sentiment follows from the worker, a tick later.

Idempotent: an item seen before (same channel and external id) is counted as a duplicate
and changes nothing, so webhook and poll overlap, redelivery and replays are harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    connection,
    connections,
    models,
    transaction,
)
from django.utils import timezone

from breakwater.analysis import Analysis
from breakwater.connectors.base import InboundItem, parse_item
from breakwater.core import events
from breakwater.core.models import Channel
from breakwater.ingest import enrich
from breakwater.inbox.models import (
    Contact,
    Conversation,
    ConversationTag,
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


# Types whose Python values the database drivers take as they are; every other field's
# value goes through the field's own conversion (datetimes, JSON, ...).
_DRIVER_NATIVE = (
    models.CharField, models.TextField, models.IntegerField, models.FloatField,
    models.BooleanField, models.ForeignKey,
)


# Datetimes already converted in this batch, by id (the entry keeps the object alive, so the
# id stays its own): a conversation's times are its messages' times, and "now" is shared.
_Seen = dict[int, tuple[datetime, Any]]


def _converter(f: models.Field) -> Any:
    """The field's own conversion for the database, ``get_db_prep_save``; for an aware
    datetime straight to the backend's adapter, which is where that ends anyway."""
    if isinstance(f, models.DateTimeField):

        def convert_datetime(value: Any, db: Any, seen: _Seen) -> Any:
            if isinstance(value, datetime) and value.tzinfo is not None:
                hit = seen.get(id(value))
                if hit is None or hit[0] is not value:
                    hit = seen[id(value)] = (value, db.ops.adapt_datetimefield_value(value))
                return hit[1]
            return f.get_db_prep_save(value, db)

        return convert_datetime
    if isinstance(f, models.JSONField):
        # Most JSON columns of a message are an empty list or dict: each adapted once.
        empty: dict[type, Any] = {}

        def convert_json(value: Any, db: Any, seen: _Seen) -> Any:
            kind = type(value)
            if value or kind not in (list, dict):
                return f.get_db_prep_save(value, db)
            if kind not in empty:
                empty[kind] = f.get_db_prep_save(kind(), db)
            return empty[kind]

        return convert_json
    return lambda value, db, seen: f.get_db_prep_save(value, db)


class _BulkInsert:
    """Many rows of one model at once: the rows ``bulk_create`` writes, without its cost.

    ``bulk_create`` compiles every value of every row through the ORM's SQL compiler, and a
    batch writes thousands of rows: that was most of ingest's time (``breakwater bench
    ingest`` measures it). Here each statement is built once and only the values that need
    a conversion (datetimes, JSON) go through their field.

    ``rows()`` takes plain tuples of ``attnames`` values (the other fields get their
    defaults) and returns no ids; ``create()`` takes model instances and sets their ids.
    """

    def __init__(self, model: type[models.Model], attnames: Sequence[str] | None = None):
        meta = model._meta
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        if attnames is None:
            attnames = [f.attname for f in fields]
        by_attname = {f.attname: f for f in fields}
        self.model = model
        self.defaulted = [f for f in fields if f.attname not in attnames]
        # Defaults that are not callables are the same value every time: fetched once a batch.
        self.fresh_defaults = [
            (i, f) for i, f in enumerate(self.defaulted) if f.has_default() and callable(f.default)
        ]
        self.columns = [by_attname[name] for name in attnames] + self.defaulted
        # A field that sets its own value on save would be skipped silently here.
        assert not any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                       for f in self.columns), f"{model.__name__} has auto_now fields"
        self.prepared = [
            (i, _converter(f)) for i, f in enumerate(self.columns)
            if not isinstance(f, _DRIVER_NATIVE)
        ]
        qn = connection.ops.quote_name
        self.head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (names from the model)
            qn(meta.db_table), ", ".join(qn(f.column) for f in self.columns)
        )
        self.one_row = "({})".format(", ".join(["%s"] * len(self.columns)))
        self.returning = f" RETURNING {qn(meta.pk.column)}"

    def _prepare(self, rows: Iterable[list[Any]], seen: _Seen | None) -> list[list[Any]]:
        """Convert the values that need it (datetimes, JSON), in place."""
        # The connection itself, not the proxy: the proxy costs a thread-local lookup per use.
        db = connections[DEFAULT_DB_ALIAS]
        seen = {} if seen is None else seen
        out = []
        for row in rows:
            for i, convert in self.prepared:
                row[i] = convert(row[i], db, seen)
            out.append(row)
        return out

    def _with_defaults(self, row: Sequence[Any], defaults: list[Any]) -> list[Any]:
        if self.fresh_defaults:
            defaults = defaults.copy()
            for i, f in self.fresh_defaults:
                defaults[i] = f.get_default()
        return [*row, *defaults]

    def rows(self, rows: Iterable[Sequence[Any]], seen: _Seen | None = None) -> int:
        defaults = [f.get_default() for f in self.defaulted]
        values = self._prepare((self._with_defaults(row, defaults) for row in rows), seen)
        if values:
            with connection.cursor() as cursor:
                cursor.executemany(self.head + self.one_row, values)
        return len(values)

    def create(self, objs: list[Any], seen: _Seen | None = None) -> list[Any]:
        if not connection.features.can_return_rows_from_bulk_insert:
            return self.model._default_manager.bulk_create(objs)
        names = [f.attname for f in self.columns]
        size = max(connection.ops.bulk_batch_size(self.columns, objs), 1)
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            values = self._prepare(([getattr(obj, name) for name in names] for obj in chunk), seen)
            sql = self.head + ", ".join([self.one_row] * len(chunk)) + self.returning
            with connection.cursor() as cursor:
                cursor.execute(sql, [v for row in values for v in row])
                ids = [row[0] for row in cursor.fetchall()]
            for obj, pk in zip(chunk, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
        return objs


_inserts: dict[tuple[str, type[models.Model], tuple[str, ...] | None], _BulkInsert] = {}
_templates: dict[type[models.Model], tuple[dict[str, int], list[Any], list[models.Field]]] = {}


def _build(model: type[models.Model], **values: Any) -> Any:
    """``model(**values)`` (values by attname), made positionally: a third of the time."""
    if model not in _templates:
        fields = model._meta.concrete_fields
        fresh = [f for f in fields if f.has_default() and callable(f.default)]
        # A default that is not a callable is one shared value in Django too.
        constant = [None if f in fresh else f.get_default() for f in fields]
        _templates[model] = ({f.attname: i for i, f in enumerate(fields)}, constant, fresh)
    index, constant, fresh = _templates[model]
    args = constant.copy()
    for name, value in values.items():
        args[index[name]] = value
    for f in fresh:
        if f.attname not in values:
            args[index[f.attname]] = f.get_default()
    return model(*args)


def _bulk_insert(model: type[models.Model], attnames: tuple[str, ...] | None = None) -> _BulkInsert:
    key = (connection.vendor, model, attnames)
    if key not in _inserts:
        _inserts[key] = _BulkInsert(model, attnames)
    return _inserts[key]


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


def _select_in(model: type[models.Model], columns: Sequence[str], equal: dict[str, Any],
               column: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """``SELECT columns FROM model WHERE equal... AND column IN values`` (plain columns only).

    What ``filter(...).values_list(...)`` runs, for a fifth of its cost with a thousand
    values: the ORM prepares every value of an ``IN`` list one by one.
    """
    qn = connection.ops.quote_name
    where = [f"{qn(name)} = %s" for name in equal]
    where.append(f"{qn(column)} IN ({', '.join(['%s'] * len(values))})")
    sql = "SELECT {} FROM {} WHERE {}".format(  # noqa: S608 (names from the caller's code)
        ", ".join(qn(c) for c in columns), qn(model._meta.db_table), " AND ".join(where)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*equal.values(), *values])
        return cursor.fetchall()


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
                _select_in(Message, ("channel_id", "external_id"), {"channel_id": channel_id},
                           "external_id", chunk)
            )
    new = [item for item in fresh if (item.channel, item.external_id) not in stored]
    result.duplicates += len(items) - len(new)
    return new


class _AuthorRef(NamedTuple):
    """What a batch needs of an identity: its id (the message author) and its contact."""

    pk: int
    contact_id: int


_Identities = dict[tuple[str, str], _AuthorRef]


def _resolve_identities(workspace_id: int, items: list[InboundItem]) -> _Identities:
    """Find or create one identity (and contact) per author; by (network, external id)."""
    wanted: dict[tuple[str, str], InboundItem] = {}
    for item in items:
        if item.author is not None:
            wanted.setdefault((item.network, item.author.external_id), item)
    found: _Identities = {}
    by_network: dict[str, list[str]] = {}
    for network, external_id in wanted:
        by_network.setdefault(network, []).append(external_id)
    for network, external_ids in by_network.items():
        for chunk in _chunks(external_ids):
            rows = _select_in(
                Identity, ("external_id", "id", "contact_id"),
                {"workspace_id": workspace_id, "network": network}, "external_id", chunk,
            )
            for external_id, pk, contact_id in rows:
                found[(network, external_id)] = _AuthorRef(pk, contact_id)
    missing = [key for key in wanted if key not in found]
    if missing:
        contacts = _bulk_insert(Contact).create(
            [Contact(workspace_id=workspace_id, name=_author_name(wanted[k])) for k in missing]
        )
        identities = _bulk_insert(Identity).create(
            [
                _new_identity(workspace_id, contact, wanted[key])
                for key, contact in zip(missing, contacts, strict=True)
            ]
        )
        found.update(
            (key, _AuthorRef(identity.pk, identity.contact_id))
            for key, identity in zip(missing, identities, strict=True)
        )
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
        contact_id=contact.pk,
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


def _resolve_threads(workspace_id: int, items: list[InboundItem], channels: dict[int, Channel],
                     now: datetime) -> dict[tuple[int, str], _Thread]:
    """The batch's items by conversation: existing ones locked, new ones built but not saved
    (``_store`` inserts them once their aggregates are known, so they need no UPDATE)."""
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
    for key in keys:
        if key not in threads:
            conv = _new_conversation(workspace_id, channels[key[0]], key[1], keys[key], now)
            threads[key] = _Thread(conv, created=True)
    for item in items:
        threads[(item.channel, item.thread)].items.append(item)
    return threads


def _new_conversation(workspace_id: int, channel: Channel, thread_key: str, first: InboundItem,
                      now: datetime) -> Conversation:
    return _build(
        Conversation,
        workspace_id=workspace_id,
        channel_id=channel.pk,
        network=first.network,
        thread_key=thread_key,
        kind=first.kind,
        # A thread that so far holds only the brand's own post has nothing to answer.
        status=Status.OPEN if first.direction == "in" else Status.DONE,
        last_activity_at=first.created_at,
        created_at=now,
        updated_at=now,
    )


_MESSAGE_ATTNAMES = (
    "workspace_id", "conversation_id", "channel_id", "network", "external_id", "direction",
    "kind", "parent_external_id", "author_id", "text", "html", "media", "url", "is_public",
    "created_at", "received_at", "delivery_state", "raw", *enrich.MESSAGE_ATTNAMES,
)
# The batch's fast analysis, by ``id()`` of its item (the items outlive the batch).
_Analyses = dict[int, Analysis | None]


_RECEIVED, _SENT = DeliveryState.RECEIVED.value, DeliveryState.SENT.value


def _message(workspace_id: int, conv: Conversation, item: InboundItem,
             identities: _Identities, analysis: Analysis | None, now: datetime) -> tuple[Any, ...]:
    """One message row, in ``_MESSAGE_ATTNAMES`` order."""
    author = identities.get((item.network, item.author.external_id)) if item.author else None
    return (
        workspace_id,
        conv.pk,
        item.channel,
        item.network,
        item.external_id,
        item.direction,
        item.kind,
        item.parent_external_id or "",
        author.pk if author is not None else None,
        item.text,
        item.html or "",
        item.media,
        item.url or "",
        item.public,
        item.created_at,
        now,
        _RECEIVED if item.direction == "in" else _SENT,
        item.raw,
        *enrich.message_fields(analysis, inbound=item.direction == "in"),
    )


def _apply_to_conversation(thread: _Thread, identities: _Identities, analyses: _Analyses,
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
            _apply_inbound(conv, item, identities, analyses[id(item)])
        elif conv.first_inbound_at and not conv.first_response_at and item.kind != "post":
            # A reply made in the network's own app still answers the customer.
            conv.first_response_at = item.created_at
    conv.updated_at = now


def _apply_inbound(conv: Conversation, item: InboundItem, identities: _Identities,
                   analysis: Analysis | None) -> None:
    spam = analysis is not None and analysis.spam
    # Spam while every inbound message is: the first one decides, each later one can clear it.
    conv.is_spam = spam if conv.first_inbound_at is None else conv.is_spam and spam
    if conv.first_inbound_at is None or item.created_at < conv.first_inbound_at:
        conv.first_inbound_at = item.created_at
    if conv.last_inbound_at is None or item.created_at > conv.last_inbound_at:
        conv.last_inbound_at = item.created_at
        if analysis is not None:
            conv.language = analysis.language
        if conv.status != Status.OPEN:
            conv.status = Status.OPEN
    if conv.kind == "post":
        conv.kind = item.kind
    if conv.contact_id is None and item.author is not None:
        identity = identities.get((item.network, item.author.external_id))
        conv.contact_id = identity.contact_id if identity else None


AGGREGATE_FIELDS = (
    "status", "kind", "contact_id", "preview", "message_count", "first_inbound_at",
    "last_inbound_at", "first_response_at", "last_activity_at", "updated_at", "language",
    "is_spam",
)


def _save_aggregates(threads: Iterable[_Thread]) -> None:
    """One executemany for the batch: far cheaper than bulk_update's CASE chains. The tag
    links' copy of status and activity follows in one UPDATE per chunk."""
    table = Conversation._meta.db_table
    sets = ", ".join(f"{f} = %s" for f in AGGREGATE_FIELDS)
    ops = connections[DEFAULT_DB_ALIAS].ops
    rows = []
    for thread in threads:
        conv = thread.conversation
        rows.append([_db_value(ops, getattr(conv, f)) for f in AGGREGATE_FIELDS] + [conv.pk])
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608
        for chunk in _chunks([row[-1] for row in rows]):
            ConversationTag.objects.refresh_copies(chunk)


def _db_value(ops: Any, value: Any) -> Any:
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    return value


def _store(workspace_id: int, items: list[InboundItem], result: IngestResult) -> None:
    channels = {c.id: c for c in Channel.objects.filter(id__in={i.channel for i in items})}
    identities = _resolve_identities(workspace_id, items)
    now = timezone.now()
    threads = _resolve_threads(workspace_id, items, channels, now)
    analyses: _Analyses = dict(zip(map(id, items), enrich.analyse_items(items), strict=True))
    for thread in threads.values():
        _apply_to_conversation(thread, identities, analyses, now)
    seen: _Seen = {}
    # New conversations are inserted with their aggregates; only existing ones are updated.
    _bulk_insert(Conversation).create(
        [t.conversation for t in threads.values() if t.created], seen
    )
    messages = [
        _message(workspace_id, thread.conversation, item, identities, analyses[id(item)], now)
        for thread in threads.values()
        for item in thread.items
    ]
    _bulk_insert(Message, _MESSAGE_ATTNAMES).rows(messages, seen)
    _save_aggregates(t for t in threads.values() if not t.created)
    result.created += len(messages)
    ids = [t.conversation.pk for t in threads.values()]
    result.conversation_ids.update(ids)
    # Automation rules and SLA due times react here, in the same transaction: every
    # message stored in this batch has ``received_at == now``.
    events.handle(
        "messages.ingested",
        workspace_id=workspace_id,
        conversation_ids=ids,
        created_conversation_ids=[t.conversation.pk for t in threads.values() if t.created],
        received_at=now,
    )
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
