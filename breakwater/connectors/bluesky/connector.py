"""Bluesky (AT Protocol): mentions, replies and quotes of the brand's posts as an inbox,
replies back into the thread, text and image posts, and listening by search.

* Sign-in: an app password through ``com.atproto.server.createSession`` (see ``xrpc.py``).
* Inbox, polled: ``app.bsky.notification.listNotifications`` (reasons mention, reply,
  quote). The cursor is the newest ``indexedAt`` stored; each poll reads back to a little
  before it (``OVERLAP``), because the AppView dates a post by the earlier of its own
  ``createdAt`` and the time it saw it, so a post can arrive with a time just behind the
  cursor. What comes twice is dropped by ingest (same ``at://`` URI).
* Inbox, streamed: the firehose (``com.atproto.sync.subscribeRepos``) of the service, with
  the same mapping and the same ids, so a post that comes by both is stored once. The
  firehose starts live each time it opens; the stream polls the notifications from the
  saved cursor then (what it missed while closed) and every ``poll_interval`` after, and
  only those pages move the cursor.
* Replies: a post with ``reply.root``/``reply.parent`` strong refs and mention/link facets
  (UTF-8 byte offsets); 300 graphemes at most, checked before sending.
* Publishing: a post with up to four images (``uploadBlob``, then an ``app.bsky.embed.images``
  embed). After an unknown outcome, ``find_publication`` looks in the brand's repository
  (``listRecords``) for a post of the last day with the same text, no reply ref and the same
  images' alt texts.
* Listening, streamed (``listen_stream``): every post of the service's firehose, from the
  saved ``seq`` on (the cursor), in pages of up to ``STREAM_BATCH`` posts or a second's
  worth; authors' handles are looked up once per DID and kept (``AUTHOR_CACHE`` of them).
* Listening: ``app.bsky.feed.searchPosts`` (newest first); the cursor is the newest
  ``indexedAt`` returned, and a call with it returns only posts indexed after it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from breakwater.connectors.base import (
    Account,
    Author,
    Capability,
    Connector,
    ConnectorError,
    DeliveryResult,
    InboundItem,
    OutboundPost,
    OutboundReply,
    Page,
    Parameter,
)
from breakwater.connectors.bluesky import firehose
from breakwater.connectors.bluesky.mapping import (
    POST,
    concerns,
    did_of,
    image_alts,
    notification_item,
    parse_time,
    post_item,
    reply_refs,
    rkey_of,
    search_item,
    web_url,
)
from breakwater.connectors.bluesky.text import MAX_GRAPHEMES, facets, length_problem
from breakwater.connectors.bluesky.xrpc import Xrpc, budget

OVERLAP = timedelta(minutes=10)
PAGE_SIZE = 100
FIRST_PAGE_SIZE = 50  # a new channel starts with the latest notifications only
MAX_POLL_PAGES = 10
MAX_RECONCILE_PAGES = 50
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000  # the lexicon's limit; PDSes accept bigger blobs, the AppView does not
RECENT_RECORDS = 50
# How far back find_publication looks: a post of the same text older than this is an
# earlier publication, not the one whose answer was lost.
RECENT_PUBLICATION = timedelta(days=1)
SEARCH_PAGE_SIZE = 100  # the lexicon's maximum
FIRST_SEARCH_PAGE_SIZE = 25  # a new search starts with the latest posts only
MAX_SEARCH_PAGES = 10
STREAM_BATCH = 500  # posts a listening stream page holds at most
AUTHOR_CACHE = 100_000  # authors (DID -> handle) a listening stream remembers


@dataclass(frozen=True)
class Image:
    """An image to publish: its bytes, type (``image/jpeg``...) and alt text."""

    data: bytes
    mime_type: str
    alt: str = ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class BlueskyConnector(Connector):
    key = "bluesky"
    label = "Bluesky"
    capabilities = frozenset({
        Capability.INBOX_COMMENTS, Capability.INBOX_MENTIONS, Capability.REPLY,
        Capability.PUBLISH_POST, Capability.PUBLISH_MEDIA, Capability.LISTEN_SEARCH,
        Capability.LISTEN_STREAM,
    })
    parameters = (
        Parameter("service", "Service address", required=True,
                  help="Where the account lives: https://bsky.social, or your own PDS's address"),
        Parameter("handle", "Handle", required=True,
                  help="The brand's handle, e.g. brand.bsky.social"),
        Parameter("app_password", "App password", required=True, sensitive=True,
                  help="Make one in Bluesky: Settings, Privacy and security, App passwords"),
    )
    EVENT_TYPES = ("comment", "mention")
    max_text_length = MAX_GRAPHEMES
    poll_interval = 60.0
    reconcile_window = 2 * 24 * 3600.0

    def __init__(self, config: Any = None, *, channel: int = 0):
        super().__init__(config, channel=channel)
        self.service = str(self.config.get("service", "")).rstrip("/")
        self.xrpc = Xrpc(self.service, str(self.config.get("handle", "")),
                         str(self.config.get("app_password", "")))

    @classmethod
    def validate_config(cls, config: Any) -> dict[str, Any]:
        cleaned = super().validate_config(config)
        cleaned["service"] = str(cleaned["service"]).strip().rstrip("/")
        if not cleaned["service"].startswith(("http://", "https://")):
            raise ValueError("service must be an https:// address, e.g. https://bsky.social")
        cleaned["handle"] = str(cleaned["handle"]).strip().removeprefix("@")
        return cleaned

    # Signing in and reading the inbox

    def test_connection(self) -> Account:
        session = self.xrpc.sign_in()
        # The inbox needs the AppView behind the service: prove it answers too.
        self.xrpc.get("app.bsky.notification.listNotifications", limit=1)
        return Account(external_id=session.did, handle=session.handle)

    def _notifications(self, cursor: str | None,
                       limit: int) -> tuple[list[dict[str, Any]], str | None]:
        data = self.xrpc.get("app.bsky.notification.listNotifications", limit=limit, cursor=cursor)
        return list(data.get("notifications") or []), data.get("cursor")

    def _items_since(self, since: datetime | None,
                     max_pages: int) -> tuple[list[InboundItem], str | None]:
        """Inbox items of notifications indexed from ``since`` on (newest first), and the
        newest ``indexedAt`` seen."""
        brand = self.xrpc.session().did
        items: list[InboundItem] = []
        newest: tuple[datetime, str] | None = None
        page_cursor: str | None = None
        for _ in range(max_pages):
            limit = PAGE_SIZE if since else FIRST_PAGE_SIZE
            notes, page_cursor = self._notifications(page_cursor, limit)
            older = False
            for note in notes:
                when = parse_time(note["indexedAt"])
                if since is not None and when < since:
                    older = True
                    break
                if newest is None or when > newest[0]:
                    newest = (when, note["indexedAt"])
                item = notification_item(note, channel=self.channel, brand_did=brand,
                                         service=self.service)
                if item is not None:
                    items.append(item)
            if older or not page_cursor or since is None:
                break
        return items, newest[1] if newest else None

    def poll(self, cursor: str | None) -> Page:
        since = parse_time(cursor) - OVERLAP if cursor else None
        items, newest = self._items_since(since, MAX_POLL_PAGES)
        if cursor and (newest is None or parse_time(newest) < parse_time(cursor)):
            newest = cursor
        response = self.xrpc.last_response
        return Page(items=items, cursor=newest or cursor,
                    budget=budget(response) if response is not None else None)

    def reconcile(self, since: datetime) -> list[InboundItem]:
        items, _ = self._items_since(since, MAX_RECONCILE_PAGES)
        return items

    def stream(self, cursor: str | None) -> Iterator[Page]:
        """Posts from the firehose as they come, and, when the stream opens and every
        ``poll_interval`` after, the notifications since the cursor: the firehose of one
        service does not carry posts of accounts elsewhere, and while a stream runs the
        engine's own polls wait."""
        brand = self.resolve_handle(self.xrpc.handle)
        if brand is None:
            raise ConnectorError(
                f"the handle {self.xrpc.handle} does not resolve on {self.service}", permanent=True)
        authors: dict[str, Author] = {}
        position, polled = cursor, time.monotonic()
        for event in firehose.events(self.service):
            if isinstance(event, firehose.NewPost) and concerns(event.record, event.repo, brand):
                if event.repo not in authors:
                    authors[event.repo] = self._author(event.repo)
                yield Page(items=[post_item(channel=self.channel, uri=event.uri, cid=event.cid,
                                            record=event.record, author=authors[event.repo],
                                            brand_did=brand, service=self.service)], cursor=None)
            due = time.monotonic() - polled >= self.poll_interval
            if isinstance(event, firehose.Connected) or due:
                page = self.poll(position)
                position, polled = page.cursor, time.monotonic()
                yield page

    def listen_stream(self, cursor: str | None) -> Iterator[Page]:
        """Every post of the service's firehose after the event ``cursor`` (a ``seq``; None:
        live from now), as ``mention`` items with the inbox's ids, in pages of up to
        ``STREAM_BATCH`` posts; each page's cursor is the ``seq`` of its last post. An empty
        page (the same cursor) for each second without posts. The brand's own posts are
        left out, as search leaves them."""
        brand = self.resolve_handle(self.xrpc.handle) or ""
        authors: OrderedDict[str, Author] = OrderedDict()
        position = cursor
        batch: list[InboundItem] = []
        started, connected = time.monotonic(), False
        start = int(cursor) if cursor and cursor.isdigit() else None
        for event in firehose.events(self.service, start, resume=True):
            if isinstance(event, firehose.NewPost):
                position = str(event.seq)
                if event.repo == brand or event.record.get("$type", POST) != POST:
                    continue
                if not batch:
                    started = time.monotonic()
                batch.append(post_item(channel=self.channel, uri=event.uri, cid=event.cid,
                                       record=event.record, author=self._cached(authors, event.repo),
                                       brand_did=brand, service=self.service, kind="mention"))
                if len(batch) < STREAM_BATCH and time.monotonic() - started < 1.0:
                    continue
            if isinstance(event, firehose.Connected):
                connected = True
                continue
            if not connected and not batch:
                continue  # not open yet: an empty page would read as "nothing more"
            yield Page(items=batch, cursor=position)
            batch = []

    def _cached(self, authors: OrderedDict[str, Author], did: str) -> Author:
        author = authors.get(did)
        if author is None:
            author = authors[did] = self._author(did)
            if len(authors) > AUTHOR_CACHE:
                authors.popitem(last=False)
        else:
            authors.move_to_end(did)
        return author

    def _author(self, did: str) -> Author:
        """Who a DID is (its handle from its repository), for posts that come by the firehose."""
        try:
            handle = self.xrpc.call("GET", "com.atproto.repo.describeRepo", params={"repo": did},
                                    auth=False).get("handle", "")
        except ConnectorError:
            handle = ""
        return Author(external_id=did, handle=str(handle)[:255])

    def search(self, query: str, cursor: str | None) -> Page:
        """Public posts matching ``query`` indexed after ``cursor`` (None: the latest
        ``FIRST_SEARCH_PAGE_SIZE``), newest first; the next cursor is the newest
        ``indexedAt`` seen. At most ``MAX_SEARCH_PAGES`` pages a call: older posts past them
        are not returned."""
        since = parse_time(cursor) if cursor else None
        brand = self.xrpc.session().did
        items: list[InboundItem] = []
        newest = cursor
        page_cursor: str | None = None
        for _ in range(MAX_SEARCH_PAGES):
            data = self.xrpc.get("app.bsky.feed.searchPosts", q=query, sort="latest",
                                 since=cursor, cursor=page_cursor,
                                 limit=SEARCH_PAGE_SIZE if since else FIRST_SEARCH_PAGE_SIZE)
            posts, page_cursor = list(data.get("posts") or []), data.get("cursor")
            fresh = [p for p in posts if since is None or parse_time(p["indexedAt"]) > since]
            for post in fresh:
                if newest is None or parse_time(post["indexedAt"]) > parse_time(newest):
                    newest = post["indexedAt"]
                item = search_item(post, channel=self.channel, brand_did=brand,
                                   service=self.service)
                if item is not None:
                    items.append(item)
            if since is None or not posts or len(fresh) < len(posts) or not page_cursor:
                break
        response = self.xrpc.last_response
        return Page(items=items, cursor=newest,
                    budget=budget(response) if response is not None else None)

    def resolve_handle(self, handle: str) -> str | None:
        """The DID of ``handle``, or None when no account has it."""
        try:
            did = self.xrpc.call("GET", "com.atproto.identity.resolveHandle",
                                 params={"handle": handle}, auth=False).get("did")
        except ConnectorError as exc:
            if exc.permanent:
                return None
            raise
        return str(did) if did else None

    # Writing

    def _record(self, uri: str) -> dict[str, Any]:
        collection = uri.removeprefix("at://").split("/")[1]
        return self.xrpc.get("com.atproto.repo.getRecord", repo=did_of(uri), collection=collection,
                             rkey=rkey_of(uri))

    def _create_post(self, record: dict[str, Any]) -> DeliveryResult:
        data = self.xrpc.post("com.atproto.repo.createRecord", {
            "repo": self.xrpc.session().did, "collection": POST, "record": record})
        return DeliveryResult(external_id=data["uri"], url=web_url(data["uri"]))

    def _post_record(self, text: str) -> dict[str, Any]:
        problem = length_problem(text)
        if problem:
            raise ConnectorError(problem, permanent=True)
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _now()}
        found = facets(text, self.resolve_handle)
        if found:
            record["facets"] = found
        return record

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        record = self._post_record(reply.text)
        parent = self._record(reply.in_reply_to or reply.thread_key)
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root, _ = reply_refs(parent.get("value") or {})
        record["reply"] = {"root": root or parent_ref, "parent": parent_ref}
        return self._create_post(record)

    def find_delivery(self, reply: OutboundReply) -> DeliveryResult | None:
        """Look for the reply among the brand's latest posts: same text, same parent."""
        parent = reply.in_reply_to or reply.thread_key
        data = self.xrpc.get("com.atproto.repo.listRecords", repo=self.xrpc.session().did,
                             collection=POST, limit=RECENT_RECORDS)
        for entry in data.get("records") or []:
            value = entry.get("value") or {}
            _, replied_to = reply_refs(value)
            if value.get("text") == reply.text and replied_to and replied_to["uri"] == parent:
                return DeliveryResult(external_id=entry["uri"], url=web_url(entry["uri"]))
        return None

    def find_publication(self, post: OutboundPost) -> DeliveryResult | None:
        """Look for the post among the brand's latest posts of the last day: same text, no
        reply ref, images with the same alt texts."""
        data = self.xrpc.get("com.atproto.repo.listRecords", repo=self.xrpc.session().did,
                             collection=POST, limit=RECENT_RECORDS)
        recent = datetime.now(UTC) - RECENT_PUBLICATION
        alts = [m.alt for m in post.media]
        for entry in data.get("records") or []:
            value = entry.get("value") or {}
            same = (value.get("text") == post.text and "reply" not in value
                    and image_alts(value) == alts)
            if same and parse_time(str(value.get("createdAt") or "1970-01-01")) >= recent:
                return DeliveryResult(external_id=entry["uri"], url=web_url(entry["uri"]))
        return None

    def publish(self, post: OutboundPost) -> DeliveryResult:
        images = [Image(data=m.read(), mime_type=m.content_type, alt=m.alt) for m in post.media]
        return self.publish_post(post.text, images)

    def publish_post(self, text: str, images: Sequence[Image] = ()) -> DeliveryResult:
        """A new post of the brand: text and up to four images of at most 1,000,000 bytes each."""
        record = self._post_record(text)
        if len(images) > MAX_IMAGES:
            raise ConnectorError(
                f"a Bluesky post can have at most {MAX_IMAGES} images; this one has "
                f"{len(images)}. Remove some and publish again.", permanent=True)
        for number, image in enumerate(images, 1):
            if len(image.data) > MAX_IMAGE_BYTES:
                raise ConnectorError(
                    f"image {number} is {len(image.data):,} bytes; Bluesky takes at most "
                    f"{MAX_IMAGE_BYTES:,} bytes per image. Make it smaller and publish again.",
                    permanent=True)
        if images:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [
                {"image": self._upload(image), "alt": image.alt} for image in images]}
        return self._create_post(record)

    def _upload(self, image: Image) -> dict[str, Any]:
        return self.xrpc.call("POST", "com.atproto.repo.uploadBlob", content=image.data,
                              content_type=image.mime_type)["blob"]
