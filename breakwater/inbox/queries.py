"""Read paths of the inbox: the list (keyset-paginated), counts, and one conversation.

The list reads conversation rows only (their aggregates are kept by ingest and the
actions) and walks an index newest-first, stopping after one page, so its cost does not
grow with the number of messages.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone

from breakwater.connectors.base import ConnectorError, get_connector_class
from breakwater.core.actions import channel_config
from breakwater.core.errors import Invalid, NotFound, Unavailable
from breakwater.core.models import Membership
from breakwater.inbox import search
from breakwater.inbox.models import (
    Conversation,
    ConversationTag,
    Message,
    Note,
    Sentiment,
    Status,
    Tag,
)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Counting stops here: "10,000+" tells a person as much as an exact figure, for far less work.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    network: str | None = None
    channel: int | None = None
    assignee: str | None = None  # a user id, an email, "me" or "none"
    tag: str | None = None
    kind: str | None = None
    q: str | None = None
    language: str | None = None  # of the newest inbound message; "und": undetermined
    sentiment: str | None = None  # of the newest inbound message
    spam: bool | None = None  # True: only spam; False: no spam; None: both
    due: str | None = None  # "overdue", or "soon": overdue or due within the workspace's N minutes
    sort: str | None = None  # None: newest activity first; "due": soonest response due first


def encode_cursor(conv: Conversation) -> str:
    raw = f"{conv.last_activity_at.isoformat()}|{conv.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        return datetime.fromisoformat(when), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("cursor is not valid; use next_cursor from the previous page") from None


# The columns the list is sorted and paged by. With a tag filter they are the tag link's copy
# of the conversation's status and activity (``ConversationTag``), so the list walks the
# tag's own index newest-first instead of every conversation of the status.
_PLAIN = ("status", "last_activity_at", "pk")
_BY_TAG = ("tag_links__status", "tag_links__last_activity_at", "tag_links__conversation_id")


def _columns(filters: Filters) -> tuple[str, str, str]:
    return _BY_TAG if filters.tag else _PLAIN


def _filtered(member: Membership, filters: Filters, found: search.Search | None = None,
              after: tuple[datetime, int] | None = None) -> QuerySet[Conversation]:
    """Conversations under ``filters``, after the keyset position ``after`` when given."""
    status_col, activity_col, id_col = _columns(filters)
    # Status, tag and keyset go into one ``filter()`` call: Django then joins the tag link
    # once (a second call on a multi-valued relation adds a second join).
    where = Q()
    if filters.status:
        if filters.status not in Status.values:
            raise Invalid(f"unknown status {filters.status!r}; one of open, pending, done")
        where &= Q(**{status_col: filters.status})
    if filters.tag:
        where &= Q(tag_links__tag_id=_tag_id(member, filters.tag))
    if after:
        when, pk = after
        where &= Q(**{f"{activity_col}__lt": when}) | Q(
            **{activity_col: when, f"{id_col}__lt": pk}
        )
    qs = Conversation.objects.filter(where, workspace_id=member.workspace_id)
    if filters.network:
        qs = qs.filter(network=filters.network)
    if filters.channel:
        qs = qs.filter(channel_id=filters.channel)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.assignee:
        qs = _filter_assignee(member, qs, filters.assignee)
    if filters.language:
        qs = qs.filter(language=filters.language.lower())
    if filters.sentiment:
        if filters.sentiment not in Sentiment.values:
            raise Invalid(
                f"unknown sentiment {filters.sentiment!r}; one of positive, neutral, negative"
            )
        qs = qs.filter(sentiment=filters.sentiment)
    if filters.spam is not None:
        qs = qs.filter(is_spam=filters.spam)
    if filters.due:
        qs = qs.filter(response_due_at__lte=_due_horizon(member, filters.due))
    if filters.q:
        # Full-text, lemma-aware, with a plan chosen by how common the words are: search.py.
        qs = (found or search.Search(member.workspace_id, filters.q)).filter(qs)
    return qs


def _tag_id(member: Membership, name: str) -> Subquery:
    """The workspace's tag of that name, as a subquery the database runs once (no such tag:
    NULL, so nothing matches)."""
    return Subquery(Tag.objects.filter(workspace_id=member.workspace_id, name=name).values("pk")[:1])


def _due_horizon(member: Membership, due: str) -> datetime:
    from breakwater.sla.due import business_hours

    if due == "overdue":
        return timezone.now()
    if due == "soon":
        minutes = business_hours(member.workspace_id).breaching_soon_minutes
        return timezone.now() + timedelta(minutes=minutes)
    raise Invalid(f"unknown due filter {due!r}; one of soon, overdue")


def _filter_assignee(member: Membership, qs: QuerySet[Conversation], value: str) -> QuerySet:
    if value == "me":
        return qs.filter(assignee_id=member.user_id)
    if value == "none":
        return qs.filter(assignee__isnull=True)
    if value.isdigit():
        return qs.filter(assignee_id=int(value))
    return qs.filter(assignee__email__iexact=value)


def list_conversations(member: Membership, filters: Filters, cursor: str | None = None,
                       limit: int = DEFAULT_LIMIT) -> tuple[list[Conversation], str | None]:
    """One page, newest activity first (or soonest due first with ``sort="due"``); returns
    the rows and the cursor of the next page."""
    limit = max(1, min(limit, MAX_LIMIT))
    found = search.Search(member.workspace_id, filters.q) if filters.q else None
    if filters.sort == "due":
        rows, next_cursor = _soonest_due_first(member, filters, found, cursor, limit)
    elif filters.sort:
        raise Invalid(f"unknown sort {filters.sort!r}; leave it out (newest activity) or use due")
    else:
        qs = _filtered(member, filters, found, decode_cursor(cursor) if cursor else None)
        rows, next_cursor = _newest_first(qs, filters, limit)
    _attach_tags(rows)
    if found:
        _attach_snippets(rows, found)
    return rows, next_cursor


def _newest_first(qs: QuerySet[Conversation], filters: Filters,
                  limit: int) -> tuple[list[Conversation], str | None]:
    _, activity_col, id_col = _columns(filters)
    rows = list(
        qs.select_related("channel", "contact", "assignee")
        .order_by(f"-{activity_col}", f"-{id_col}")[: limit + 1]
    )
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


# Sorted by due time, the list has two parts, each walking an index: first the conversations
# owing a response, soonest due first (``conv_due``: workspace, status, due time), then the rest,
# newest activity first as usual. A cursor says which part and where: "due|<time>|<id>" or
# "rest|<activity>|<id>" ("rest||" for the start of the second part).
def _soonest_due_first(member: Membership, filters: Filters, found: search.Search | None,
                       cursor: str | None, limit: int) -> tuple[list[Conversation], str | None]:
    part, after = _decode_due_cursor(cursor)
    rows: list[Conversation] = []
    if part == "due":
        qs = _filtered(member, filters, found).filter(response_due_at__isnull=False)
        if after:
            when, pk = after
            qs = qs.filter(Q(response_due_at__gt=when) | Q(response_due_at=when, pk__gt=pk))
        rows = list(
            qs.select_related("channel", "contact", "assignee")
            .order_by("response_due_at", "pk")[: limit + 1]
        )
        if len(rows) > limit:
            last = rows[limit - 1]
            return rows[:limit], _encode_due_cursor("due", last.response_due_at, last.pk)
        after = None
    rest = _filtered(member, filters, found, after).filter(response_due_at__isnull=True)
    if len(rows) == limit:
        more = rest.exists()
        return rows, _encode_due_cursor("rest", None, None) if more else None
    tail, next_cursor = _newest_first(rest, filters, limit - len(rows))
    if next_cursor:
        last = tail[-1]
        next_cursor = _encode_due_cursor("rest", last.last_activity_at, last.pk)
    return rows + tail, next_cursor


def _encode_due_cursor(part: str, when: datetime | None, pk: int | None) -> str:
    raw = f"{part}|{when.isoformat() if when else ''}|{pk or ''}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_due_cursor(cursor: str | None) -> tuple[str, tuple[datetime, int] | None]:
    if not cursor:
        return "due", None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        part, when, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        if part not in ("due", "rest"):
            raise ValueError(part)
        return part, (datetime.fromisoformat(when), int(pk)) if when else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("cursor is not valid; use next_cursor from the previous page") from None


def _attach_snippets(rows: list[Conversation], found: search.Search) -> None:
    """``conv.snippet``: HTML of the newest matching message, matches in ``<mark>``."""
    snippets = found.snippets([c.pk for c in rows])
    for conv in rows:
        conv.snippet = snippets.get(conv.pk)  # type: ignore[attr-defined]


def _attach_tags(rows: list[Conversation]) -> None:
    """Tags of a whole page in one query."""
    by_conv: dict[int, list[Tag]] = {c.pk: [] for c in rows}
    for link in ConversationTag.objects.filter(conversation_id__in=by_conv).select_related("tag"):
        by_conv[link.conversation_id].append(link.tag)
    for conv in rows:
        conv.tag_list = sorted(by_conv[conv.pk], key=lambda t: t.name)  # type: ignore[attr-defined]


def status_counts(member: Membership, filters: Filters) -> dict[str, int]:
    """How many conversations per status under the other filters (each capped at COUNT_CAP)."""
    # One search for the three counts: its probe of the full-text index runs once.
    found = search.Search(member.workspace_id, filters.q) if filters.q else None
    tag_alone = filters.tag is not None and replace(
        filters, tag=None, status=None, sort=None
    ) == Filters()
    counts = {}
    for status in Status.values:
        if tag_alone:
            # The tag links' copy of the status answers from their index alone, without
            # reading a conversation row for each of up to COUNT_CAP links.
            qs: QuerySet = ConversationTag.objects.filter(
                tag_id=_tag_id(member, filters.tag), status=status
            )
        else:
            qs = _filtered(member, replace(filters, status=status), found)
        # COUNT(*) over a LIMITed subquery of ids reads the index entries alone; the former
        # ``pk IN (subquery)`` fetched each of up to COUNT_CAP table rows by id, ten times slower.
        counts[status] = qs.values("pk")[:COUNT_CAP].count()
    return counts


def get_conversation(member: Membership, conversation_id: int) -> Conversation:
    from breakwater.inbox.actions import access_conversation

    conv = access_conversation(member, conversation_id)
    _attach_tags([conv])
    return conv


def thread_messages(conv: Conversation) -> list[Message]:
    return list(
        Message.objects.filter(conversation=conv)
        .select_related("author", "sent_by")
        .order_by("created_at", "pk")
    )


def conversation_notes(conv: Conversation) -> list[Note]:
    return list(Note.objects.filter(conversation=conv).select_related("author").order_by("created_at"))


def contact_history(conv: Conversation, limit: int = 20) -> list[Conversation]:
    """The contact's other conversations, on every network (merged contacts included)."""
    if conv.contact_id is None:
        return []
    return list(
        Conversation.objects.filter(workspace_id=conv.workspace_id, contact_id=conv.contact_id)
        .exclude(pk=conv.pk)
        .select_related("channel")
        .order_by("-last_activity_at")[:limit]
    )


def workspace_tags(member: Membership) -> list[Tag]:
    return list(Tag.objects.filter(workspace_id=member.workspace_id).order_by("name"))


@dataclass(frozen=True)
class MediaContent:
    name: str
    content_type: str
    data: bytes


def media_content(member: Membership, message_id: int, index: int) -> MediaContent:
    """The bytes of a message's ``index``-th media entry, read from the network that keeps
    them (an email's attachment from the mailbox), for a person to download."""
    message = Message.objects.filter(pk=message_id, workspace_id=member.workspace_id).select_related(
        "channel").first()
    if message is None:
        raise NotFound(f"message {message_id} not found")
    media = message.media if isinstance(message.media, list) else []
    if not 0 <= index < len(media):
        raise NotFound(f"message {message_id} has no attachment {index}"
                       f" (it has {len(media)})")
    entry = media[index]
    try:
        connector = get_connector_class(message.channel.network)(
            channel_config(message.channel), channel=message.channel_id)
        data = connector.fetch_media(entry, message.external_id)
    except (ConnectorError, ValueError) as exc:
        said = exc.message if isinstance(exc, ConnectorError) else str(exc)
        raise Unavailable(f"the attachment could not be fetched: {said}",
                          {"conversation": message.conversation_id}) from None
    name = str(entry.get("name") or f"attachment-{index}")
    return MediaContent(name, str(entry.get("content_type") or "application/octet-stream"), data)

