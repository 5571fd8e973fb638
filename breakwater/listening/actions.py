"""Every change of listening: topics (checked with the query parser; the workspace's matcher
rebuilds on the next batch), sources, alert destinations, alerts read, and sending a mention
to the inbox. Managers and up edit topics, sources and destinations; agents send mentions to
the inbox; everybody may preview a query."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from breakwater.connectors.base import (
    Author,
    Capability,
    Connector,
    InboundItem,
    get_connector_class,
)
from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import Conflict, Invalid
from breakwater.core.models import Channel, Membership, Role
from breakwater.inbox.models import Message
from breakwater.ingest.pipeline import ingest_items
from breakwater.listening import matching, queries
from breakwater.listening.models import (
    Alert,
    AlertDestination,
    AlertDestinationKind,
    Mention,
    Source,
    SourceKind,
    Topic,
    TopicGroup,
)
from breakwater.listening.query import QueryError, parse

MAX_QUERY = 2000
MAX_PREVIEW_TEXTS = 1000


class QueryInvalid(Invalid):
    """A query that does not parse: the message and the character position it points at."""

    def __init__(self, message: str, position: int):
        super().__init__(message, {"position": position})
        self.position = position


def check_query(query: str) -> None:
    if not query.strip():
        raise QueryInvalid("the query is empty: write a word, a phrase or a #hashtag", 0)
    if len(query) > MAX_QUERY:
        raise QueryInvalid(f"a query has at most {MAX_QUERY} characters", MAX_QUERY)
    try:
        parse(query)
    except QueryError as exc:
        raise QueryInvalid(exc.message, exc.position) from None


def preview(member: Membership, query: str, texts: Sequence[str]) -> list[bool]:
    """Whether each text matches ``query``, with the matcher live listening uses (texts are
    analysed as on ingest). Nothing is stored."""
    check_query(query)
    if len(texts) > MAX_PREVIEW_TEXTS:
        raise Invalid(f"preview at most {MAX_PREVIEW_TEXTS} texts at a time")
    from breakwater.listening.matcher import matches

    return list(matches(query, list(texts)))


def dry_run(member: Membership, query: str, limit: int = 1000) -> list[Mention]:
    """The stored mentions (newest ``limit``) that ``query`` would have matched."""
    check_query(query)
    from breakwater.listening.matcher import compile_topics, post_from_stored

    matcher = compile_topics([(0, query)])
    return [
        m for m in queries.recent_mentions(member.workspace_id, limit)
        if matcher.match(post_from_stored(m.text, language=m.language, search_text=m.search_text,
                                          network=m.network, source=m.source_name,
                                          author=m.author))
    ]


# -- topics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicFields:
    name: str
    query: str
    group: str = TopicGroup.BRAND
    active: bool = True


def _check_topic(member: Membership, fields: TopicFields, topic_id: int | None = None) -> None:
    check_role(member, Role.MANAGER)
    if not fields.name.strip() or len(fields.name) > 100:
        raise Invalid("a topic needs a name of 1 to 100 characters")
    if fields.group not in TopicGroup.values:
        raise Invalid(f"group must be one of: {', '.join(TopicGroup.values)}")
    check_query(fields.query)
    if Topic.objects.filter(workspace_id=member.workspace_id, name=fields.name.strip()).exclude(
        pk=topic_id
    ).exists():
        raise Conflict(f"a topic named {fields.name.strip()!r} exists already")


def do_create_topic(member: Membership, fields: TopicFields) -> Topic:
    _check_topic(member, fields)
    with transaction.atomic():
        topic = Topic.objects.create(
            workspace_id=member.workspace_id, name=fields.name.strip(), query=fields.query,
            group=fields.group, active=fields.active, created_by_id=member.user_id,
        )
        matching.bump(member.workspace_id)
        audit(member, member.workspace_id, "topic.created", topic, name=topic.name,
              query=topic.query, group=topic.group)
    return topic


def do_update_topic(member: Membership, topic_id: int, fields: TopicFields) -> Topic:
    topic = queries.access_topic(member, topic_id)
    _check_topic(member, fields, topic.pk)
    with transaction.atomic():
        topic.name, topic.query, topic.group = fields.name.strip(), fields.query, fields.group
        topic.active, topic.updated_at = fields.active, timezone.now()
        topic.save(update_fields=["name", "query", "group", "active", "updated_at"])
        matching.bump(member.workspace_id)
        audit(member, member.workspace_id, "topic.updated", topic, name=topic.name,
              query=topic.query, group=topic.group, active=topic.active)
    return topic


def do_delete_topic(member: Membership, topic_id: int) -> None:
    check_role(member, Role.MANAGER)
    topic = queries.access_topic(member, topic_id)
    with transaction.atomic():
        audit(member, member.workspace_id, "topic.deleted", topic, name=topic.name)
        topic.delete()
        matching.bump(member.workspace_id)


# -- sources -------------------------------------------------------------------------------

# A starter list a workspace can edit: Finnish news feeds (addresses only; fetched only when
# the workspace keeps them active and the worker runs).
STARTER_FEEDS = (
    ("Yle Uutiset", "https://yle.fi/rss/uutiset/paauutiset"),
    ("Helsingin Sanomat", "https://www.hs.fi/rss/tuoreimmat.xml"),
    ("Iltalehti", "https://www.iltalehti.fi/rss/uutiset.xml"),
    ("Kauppalehti", "https://feeds.kauppalehti.fi/rss/main"),
)


@dataclass(frozen=True)
class SourceFields:
    kind: str
    name: str
    url: str = ""
    channel_id: int | None = None
    query: str = ""
    active: bool = True
    dedicated: bool = False
    poll_seconds: int = 300


def can_search(network: str) -> bool:
    """Whether channels of ``network`` can be searched for listening (``LISTEN_SEARCH`` and a
    ``search`` of their own: the RSS connector declares listening, but as a feed)."""
    try:
        cls = get_connector_class(network)
    except (KeyError, ValueError):
        return False
    return Capability.LISTEN_SEARCH in cls.capabilities and cls.search is not Connector.search


def can_stream(network: str) -> bool:
    """Whether channels of ``network`` have a public stream to listen to (``LISTEN_STREAM``
    and a ``listen_stream`` of their own)."""
    try:
        cls = get_connector_class(network)
    except (KeyError, ValueError):
        return False
    return (Capability.LISTEN_STREAM in cls.capabilities
            and cls.listen_stream is not Connector.listen_stream)


def _check_source(member: Membership, fields: SourceFields) -> None:
    check_role(member, Role.MANAGER)
    if not fields.name.strip():
        raise Invalid("a source needs a name")
    if not 30 <= fields.poll_seconds <= 86400:
        raise Invalid("poll every 30 to 86400 seconds")
    if fields.kind == SourceKind.FEED:
        if urlsplit(fields.url).scheme not in ("http", "https"):
            raise Invalid("a feed source needs the http:// or https:// address of the feed")
    elif fields.kind == SourceKind.SEARCH:
        if fields.channel_id is None or not fields.query.strip():
            raise Invalid("a search source needs a channel and a search query")
        channel = in_workspace(member, Channel, fields.channel_id, "channel")
        if not can_search(channel.network):
            cls = get_connector_class(channel.network)
            raise Invalid(f"{cls.label} channels cannot search; choose a Bluesky or Mastodon one")
    elif fields.kind == SourceKind.STREAM:
        if fields.channel_id is None:
            raise Invalid("a stream source needs a channel")
        channel = in_workspace(member, Channel, fields.channel_id, "channel")
        if not can_stream(channel.network):
            cls = get_connector_class(channel.network)
            raise Invalid(f"{cls.label} channels have no public stream; choose a Bluesky one")
    else:
        raise Invalid(f"kind must be one of: {', '.join(SourceKind.values)}")


def do_create_source(member: Membership, fields: SourceFields) -> Source:
    _check_source(member, fields)
    with transaction.atomic():
        source = Source.objects.create(
            workspace_id=member.workspace_id, kind=fields.kind, name=fields.name.strip()[:200],
            url=fields.url if fields.kind == SourceKind.FEED else "",
            channel_id=fields.channel_id if fields.kind != SourceKind.FEED else None,
            query=fields.query.strip()[:500] if fields.kind == SourceKind.SEARCH else "",
            active=fields.active,
            # A stream never ends: only its own ``breakwater listen`` process reads it.
            dedicated=fields.dedicated or fields.kind == SourceKind.STREAM,
            poll_seconds=fields.poll_seconds,
        )
        audit(member, member.workspace_id, "listening_source.created", source,
              kind=source.kind, name=source.name)
    return source


def do_set_source_active(member: Membership, source_id: int, active: bool) -> Source:
    check_role(member, Role.MANAGER)
    source = in_workspace(member, Source, source_id, "source")
    source.active, source.next_poll_at = active, timezone.now()
    source.save(update_fields=["active", "next_poll_at"])
    audit(member, member.workspace_id, "listening_source.updated", source, active=active)
    return source


def do_delete_source(member: Membership, source_id: int) -> None:
    check_role(member, Role.MANAGER)
    source = in_workspace(member, Source, source_id, "source")
    with transaction.atomic():
        audit(member, member.workspace_id, "listening_source.deleted", source, name=source.name)
        source.delete()


def do_create_starter_sources(member: Membership) -> list[Source]:
    """The starter feeds, inactive until the workspace switches each on."""
    return [
        do_create_source(member, SourceFields(SourceKind.FEED, name, url, active=False))
        for name, url in STARTER_FEEDS
        if not Source.objects.filter(workspace_id=member.workspace_id, url=url).exists()
    ]


# -- alerts --------------------------------------------------------------------------------


def do_create_destination(member: Membership, kind: str, address: str) -> AlertDestination:
    check_role(member, Role.MANAGER)
    address = address.strip()
    if kind == AlertDestinationKind.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid(f"{address!r} is not an email address") from None
    elif kind == AlertDestinationKind.WEBHOOK:
        if urlsplit(address).scheme not in ("http", "https"):
            raise Invalid("a webhook needs an http:// or https:// address")
    else:
        raise Invalid(f"kind must be one of: {', '.join(AlertDestinationKind.values)}")
    destination = AlertDestination.objects.create(
        workspace_id=member.workspace_id, kind=kind, address=address[:1000],
        secret=secrets.token_urlsafe(32) if kind == AlertDestinationKind.WEBHOOK else "",
    )
    audit(member, member.workspace_id, "alert_destination.created", destination, kind=kind,
          address=address)
    return destination


def do_delete_destination(member: Membership, destination_id: int) -> None:
    check_role(member, Role.MANAGER)
    destination = in_workspace(member, AlertDestination, destination_id, "alert destination")
    audit(member, member.workspace_id, "alert_destination.deleted", destination)
    destination.delete()


def do_mark_alerts_read(member: Membership) -> int:
    return Alert.objects.filter(workspace_id=member.workspace_id, read_at__isnull=True).update(
        read_at=timezone.now())


# -- mentions ------------------------------------------------------------------------------


def _inbox_channel(member: Membership, channel_id: int | None) -> Channel:
    if channel_id is not None:
        return in_workspace(member, Channel, channel_id, "channel")
    channel = Channel.objects.filter(workspace_id=member.workspace_id, network="api").order_by(
        "pk").first()
    if channel is None:
        raise Invalid("choose a channel, or connect a Custom source (API) channel for mentions")
    return channel


def do_send_to_inbox(member: Membership, mention_id: int, channel_id: int | None = None) -> int:
    """Ingest the mention as an inbound item on ``channel_id`` (or the workspace's API
    channel), so the team can engage with it as a conversation; returns the conversation id.
    Sending it again answers the same conversation."""
    check_role(member, Role.AGENT)
    mention = in_workspace(member, Mention, mention_id, "mention")
    if mention.conversation_id:
        return mention.conversation_id
    channel = _inbox_channel(member, channel_id)
    external_id = f"listening:{mention.network}:{mention.external_id}"[:255]
    item = InboundItem(
        network=mention.network if channel.network == "api" else channel.network,
        channel=channel.pk, external_id=external_id, kind="mention",
        created_at=mention.created_at, text=mention.text, url=mention.url or None,
        author=Author(external_id=(mention.author or mention.network)[:255],
                      handle=mention.author, name=mention.author_name),
        is_public=True, raw={"listening_mention": mention.pk},
    )
    result = ingest_items(member.workspace_id, [item])
    if result.errors:
        raise Invalid(f"the inbox refused it: {result.errors[0].error}")
    conversation_id = Message.objects.filter(channel_id=channel.pk, external_id=external_id) \
        .values_list("conversation_id", flat=True).first()
    if conversation_id is None:  # pragma: no cover - ingest stored or had it
        raise Invalid("the inbox did not store it")
    try:
        Mention.objects.filter(pk=mention.pk).update(conversation_id=conversation_id)
    except IntegrityError:  # pragma: no cover
        pass
    audit(member, member.workspace_id, "mention.sent_to_inbox", mention,
          conversation=conversation_id, channel=channel.pk)
    return conversation_id
