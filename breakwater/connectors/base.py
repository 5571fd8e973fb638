"""The connector contract: normalized types, capabilities, errors and the registry.

Nothing here imports Django models: connectors take and return plain typed objects, so
they are testable with fixtures alone and can run in a worker that scales separately.
"""

from __future__ import annotations

import enum
import functools
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

import regex
from pydantic import AfterValidator, Field, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass as pydantic_dataclass

Kind = Literal["comment", "ad_comment", "mention", "dm", "review", "post", "reply"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


def _aware(value: datetime) -> datetime:
    # Networks that send naive times mean UTC; storing them naive would shift them by the server's zone.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@pydantic_dataclass(frozen=True)
class Author:
    """Who wrote an item, as the network names them."""

    external_id: Annotated[str, Field(min_length=1, max_length=255)]
    handle: Annotated[str, Field(max_length=255)] = ""
    name: Annotated[str, Field(max_length=255)] = ""
    avatar_url: Annotated[str | None, Field(max_length=1000)] = None


@pydantic_dataclass(frozen=True)
class InboundItem:
    """The normalized item: every network's payload becomes one or more of these.

    ``POST /api/v1/ingest`` accepts exactly this shape, so any system can feed the inbox.
    """

    network: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_\-]+$")]
    channel: int
    external_id: Annotated[str, Field(min_length=1, max_length=255)]
    kind: Kind
    created_at: Annotated[datetime, AfterValidator(_aware)]
    author: Author | None = None
    text: str = ""
    thread_key: Annotated[str | None, Field(max_length=255)] = None
    parent_external_id: Annotated[str | None, Field(max_length=255)] = None
    html: str | None = None
    media: list[dict[str, Any]] = field(default_factory=list)
    url: Annotated[str | None, Field(max_length=1000)] = None
    raw: dict[str, Any] = field(default_factory=dict)
    is_public: bool | None = None
    direction: Literal["in", "out"] = "in"

    @property
    def thread(self) -> str:
        """What groups this item into a conversation: given, else its parent, else itself."""
        return self.thread_key or self.parent_external_id or self.external_id

    @property
    def public(self) -> bool:
        return self.is_public if self.is_public is not None else self.kind != "dm"


_item_adapter = TypeAdapter(InboundItem)


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem, naming the field path, e.g. ``author.external_id: Field required``."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "item"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def parse_item(data: Any) -> InboundItem:
    """Validate one JSON-like object into an ``InboundItem``; raises ``ValueError`` with every problem."""
    if not isinstance(data, Mapping):
        raise ValueError(f"item: expected a JSON object, got {type(data).__name__}")
    try:
        return _item_adapter.validate_python(data)
    except ValidationError as exc:
        raise ValueError(describe_validation_error(exc)) from None


_GRAPHEME = regex.compile(r"\X")


def grapheme_length(text: str) -> int:
    """User-perceived characters: "👍🏽" and "🇫🇮" count one each, as most networks count."""
    return len(_GRAPHEME.findall(text))


class Capability(enum.StrEnum):
    INBOX_COMMENTS = "inbox_comments"
    INBOX_MENTIONS = "inbox_mentions"
    INBOX_DM = "inbox_dm"
    INBOX_REVIEWS = "inbox_reviews"
    REPLY = "reply"
    HIDE = "hide"
    LIKE = "like"
    PUBLISH_POST = "publish_post"
    PUBLISH_MEDIA = "publish_media"
    LISTEN_SEARCH = "listen_search"
    LISTEN_STREAM = "listen_stream"


# What a channel that takes every kind of inbox item and can answer declares.
INBOX_AND_REPLY = frozenset(
    {
        Capability.INBOX_COMMENTS,
        Capability.INBOX_MENTIONS,
        Capability.INBOX_DM,
        Capability.INBOX_REVIEWS,
        Capability.REPLY,
    }
)


class ConnectorError(Exception):
    """A network said no. ``permanent`` marks the channel as needing attention;
    otherwise the delivery is retried, not before ``retry_after`` seconds when given.

    ``outcome_unknown``: the request may have reached the network (a timeout after it was
    sent, a connection dropped before the answer), so the outbox asks the network
    (``find_delivery``) before it sends again. ``reauth``: the credentials no longer work
    (revoked token, changed password): the channel needs attention, not just this item.
    """

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None,
                 outcome_unknown: bool = False, reauth: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent or reauth
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown
        self.reauth = reauth


@dataclass(frozen=True)
class OutboundReply:
    """A reply the brand sends into a thread."""

    idempotency_key: str
    text: str
    thread_key: str
    in_reply_to: str | None
    is_public: bool
    network: str
    # Breakwater's conversation id, and who wrote the reply ({"id", "name", "email"}).
    conversation: int | None = None
    author: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class MediaFile:
    """A file to publish with a post: where its bytes are (a path the worker can read), its
    type (``image/jpeg``...) and alt text."""

    path: str
    content_type: str
    alt: str = ""

    def read(self) -> bytes:
        with open(self.path, "rb") as f:
            return f.read()


@dataclass(frozen=True)
class OutboundPost:
    """A new post of the brand on one channel (publishing; delivered by the outbox)."""

    idempotency_key: str
    text: str
    network: str
    media: tuple[MediaFile, ...] = ()
    link: str | None = None

    @classmethod
    def from_payload(cls, idempotency_key: str, payload: Mapping[str, Any]) -> OutboundPost:
        media = tuple(MediaFile(**m) for m in payload.get("media", ()))
        return cls(idempotency_key=idempotency_key, text=payload["text"], network=payload["network"],
                   media=media, link=payload.get("link"))


@dataclass(frozen=True)
class ItemAction:
    """Something the brand does to an item on the network: hide or unhide a comment, like it.
    Doing it twice changes nothing, so the outbox can retry it without asking first."""

    idempotency_key: str
    action: Literal["hide", "unhide", "like"]
    external_id: str
    thread_key: str
    network: str


@dataclass(frozen=True)
class DeliveryResult:
    """What the network answered for a delivery: its id for the new item, and a link."""

    external_id: str
    url: str = ""


# The reserved key of a channel's config under which Breakwater keeps what the server said
# about itself when the channel was connected (``Account.server``): never a setup parameter.
SERVER_CONFIG = "server"


@dataclass(frozen=True)
class Account:
    """Whom a channel's credentials sign in as: what ``test_connection`` answers.

    ``server``: what this server allows where it differs per server (a Mastodon instance's
    ``max_characters``), kept on the channel as ``config["server"]`` and read back by
    :meth:`Connector.max_length_for` / :meth:`Connector.length_for`, so the composer checks a
    reply against the limit of the server it goes to.
    """

    external_id: str
    handle: str = ""
    name: str = ""
    server: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RateBudget:
    """What the network's rate-limit headers said: calls left until ``reset_at``."""

    remaining: int
    limit: int | None = None
    reset_at: datetime | None = None


@dataclass(frozen=True)
class Page:
    """One poll's answer: the new items and where the next poll starts.

    The sync engine stores ``items`` and saves ``cursor`` in one transaction, so a crash
    between fetch and store fetches the same items again (and ingest deduplicates them).
    ``more``: another page is ready now; poll again without waiting.
    """

    items: list[InboundItem]
    cursor: str | None
    more: bool = False
    budget: RateBudget | None = None


@dataclass(frozen=True)
class OAuthStart:
    """The first half of an OAuth sign-in: where to send the admin's browser, and what
    :meth:`Connector.oauth_finish` needs back (Breakwater keeps it encrypted until then)."""

    authorize_url: str
    pending: dict[str, Any]


@dataclass(frozen=True)
class Parameter:
    """One setup field of a connector's channel form."""

    name: str
    label: str
    required: bool = False
    sensitive: bool = False
    help: str = ""


class Connector:
    """Base class for a network. Subclasses declare what they can do and implement pure methods."""

    key: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    EVENT_TYPES: ClassVar[tuple[str, ...]] = ()
    # Text length as this network counts it (graphemes, UTF-16 units...): None when unlimited.
    max_text_length: ClassVar[int | None] = None
    # Whether links in a reply become clickable, and whether @mentions notify someone.
    links_clickable: ClassVar[bool] = True
    mentions_notify: ClassVar[bool] = True

    # How often the sync engine polls a channel, and how far back reconciliation looks.
    poll_interval: ClassVar[float] = 60.0
    reconcile_window: ClassVar[float] = 7 * 24 * 3600.0

    def __init__(self, config: Mapping[str, Any] | None = None, *, channel: int = 0):
        self.config: Mapping[str, Any] = config or {}
        # The channel's id goes on every item this connector makes.
        self.channel = channel

    @classmethod
    def can_poll(cls) -> bool:
        return cls.poll is not Connector.poll

    @classmethod
    def can_reconcile(cls) -> bool:
        return cls.reconcile is not Connector.reconcile

    @classmethod
    def can_stream(cls) -> bool:
        return cls.stream is not Connector.stream

    @classmethod
    def text_length(cls, text: str) -> int:
        """The length of ``text`` as this network counts it against ``max_text_length``."""
        return grapheme_length(text)

    @classmethod
    def max_length_for(cls, config: Mapping[str, Any]) -> int | None:
        """The text limit of the channel with this config (a server's own one, where servers
        differ); ``max_text_length`` unless a connector knows better."""
        return cls.max_text_length

    @classmethod
    def length_for(cls, config: Mapping[str, Any]) -> Callable[[str], int]:
        """How the channel with this config counts a text against :meth:`max_length_for`."""
        return cls.text_length

    @classmethod
    def sensitive_parameters(cls) -> frozenset[str]:
        return frozenset(p.name for p in cls.parameters if p.sensitive)

    # -- OAuth, where the network has it (authorization code grant) ---------------------------
    # The settings the admin gives before signing in on the network (e.g. the server address);
    # the rest of the channel's config comes from ``oauth_finish``.
    oauth_parameters: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def can_oauth(cls) -> bool:
        return cls.oauth_start.__func__ is not Connector.oauth_start.__func__  # type: ignore[attr-defined]

    @classmethod
    def oauth_start(cls, config: Mapping[str, Any], redirect_uri: str, state: str) -> OAuthStart:
        """Prepare a sign-in (register Breakwater with the server where it must) and answer
        the page to send the admin to; the network comes back to ``redirect_uri`` with
        ``state`` and a code. Raise ``ValueError`` for bad settings, ``ConnectorError`` with
        the server's text when it refuses."""
        raise NotImplementedError

    @classmethod
    def oauth_finish(cls, pending: Mapping[str, Any], code: str, redirect_uri: str) -> dict[str, Any]:
        """Trade the code for credentials: answer the channel's config (as ``parameters``)."""
        raise NotImplementedError

    @classmethod
    def generated_config(cls) -> dict[str, Any]:
        """Setup values Breakwater makes for a new channel (e.g. a signing secret)."""
        return {}

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        """Check a channel's setup values; returns the cleaned config or raises ``ValueError``."""
        known = {p.name for p in cls.parameters}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"unknown setting(s) for {cls.key}: {', '.join(unknown)}")
        missing = [p.name for p in cls.parameters if p.required and not config.get(p.name)]
        if missing:
            raise ValueError(f"missing required setting(s): {', '.join(missing)}")
        return dict(config)

    def test_connection(self) -> Account | None:
        """Sign in with the channel's settings; raise ``ConnectorError`` with the server's own
        text (``reauth=True`` for refused credentials). None: nothing to test (push-only)."""
        return None

    def poll(self, cursor: str | None) -> Page:
        """New items since ``cursor`` (None: start now, or with a short backfill)."""
        raise NotImplementedError

    def stream(self, cursor: str | None) -> Iterator[Page]:
        """Pages as the network pushes them (a websocket, IMAP IDLE, a long poll), each with
        the cursor to resume from. Runs until the connection ends; the engine reconnects."""
        raise NotImplementedError

    def reconcile(self, since: datetime) -> list[InboundItem]:
        """Everything the network has from ``since`` on, to compare with what was stored:
        what ingest did not have yet is a gap that reconciliation closed."""
        raise NotImplementedError

    def fetch_media(self, media: Mapping[str, Any], external_id: str) -> bytes:
        """The bytes of one media entry of a stored item (``external_id``) whose file stays on
        the network (an email's attachment stays in the mailbox). Entries with a ``url`` are
        fetched by the reader's browser instead."""
        raise ConnectorError(f"{self.label} keeps no files Breakwater can fetch", permanent=True)

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        raise ConnectorError(f"{self.label} channels cannot send replies", permanent=True)

    def find_delivery(self, reply: OutboundReply) -> DeliveryResult | None:
        """After an unknown outcome: does the network already have this reply? None if not."""
        return None

    def publish(self, post: OutboundPost) -> DeliveryResult:
        """Publish a new post (``PUBLISH_POST``; with media, ``PUBLISH_MEDIA``); enforce the
        network's limits first with a permanent ``ConnectorError`` saying what to change."""
        raise ConnectorError(f"{self.label} channels cannot publish posts", permanent=True)

    def find_publication(self, post: OutboundPost) -> DeliveryResult | None:
        """After an unknown outcome: is this post already on the network? None if not."""
        return None

    def search(self, query: str, cursor: str | None) -> Page:
        """Public items matching ``query`` after ``cursor`` (``LISTEN_SEARCH``), for listening."""
        raise NotImplementedError

    def listen_stream(self, cursor: str | None) -> Iterator[Page]:
        """Every public post of the network's stream (``LISTEN_STREAM``), for listening: pages
        of items (text, author, URL, time) as they come, each with the cursor to resume from
        after it (None: start live), and an empty page now and then while nothing comes, so
        the caller can stop or do timed work. Runs until the caller stops iterating; a
        ``ConnectorError`` when the stream ends."""
        raise NotImplementedError

    def act(self, action: ItemAction) -> None:
        """Hide, unhide or like an item (capabilities ``HIDE``, ``LIKE``)."""
        raise ConnectorError(f"{self.label} channels cannot {action.action} items", permanent=True)


def forget_registry() -> None:
    """Read ``BREAKWATER_CONNECTORS`` again (tests that register a connector call this)."""
    _registry.cache_clear()


@functools.cache
def _registry() -> dict[str, type[Connector]]:
    from django.conf import settings

    classes: dict[str, type[Connector]] = {}
    for path in settings.BREAKWATER_CONNECTORS:
        module_name, _, class_name = path.rpartition(".")
        cls = getattr(importlib.import_module(module_name), class_name)
        if cls.key in classes:
            raise ValueError(f"two connectors claim the key {cls.key!r}")
        classes[cls.key] = cls
    return classes


def connector_classes() -> Mapping[str, type[Connector]]:
    return _registry()


def get_connector_class(key: str) -> type[Connector]:
    try:
        return _registry()[key]
    except KeyError:
        known = ", ".join(sorted(_registry()))
        raise ValueError(f"unknown network {key!r}; available: {known}") from None

