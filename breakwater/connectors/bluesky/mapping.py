"""Bluesky posts -> normalized inbox items, the same way from notifications and the firehose.

An item's ``external_id`` is the post's ``at://`` URI whichever way it came, so a post seen
by a poll and by the stream is stored once. Conversations are threads: ``thread_key`` is
the thread's root post URI (a reply names it in ``reply.root``; a post that is no reply is
its own root).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from breakwater.connectors.base import Author, InboundItem, Kind

POST = "app.bsky.feed.post"
# Notification reasons that are conversations with the brand.
INBOX_REASONS = frozenset({"mention", "reply", "quote"})
MENTION = "app.bsky.richtext.facet#mention"


def did_of(uri: str) -> str:
    """The repository (account DID) of an ``at://did/collection/rkey`` URI."""
    return uri.removeprefix("at://").split("/", 1)[0]


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def web_url(uri: str) -> str:
    return f"https://bsky.app/profile/{did_of(uri)}/post/{rkey_of(uri)}"


def parse_time(value: str) -> datetime:
    """A lexicon datetime (``2026-12-01T22:01:00.000Z``); naive ones mean UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ref(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and isinstance(value.get("uri"), str):
        return {"uri": value["uri"], "cid": str(value.get("cid", ""))}
    return None


def reply_refs(record: dict[str, Any]) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """The (root, parent) strong refs of a reply post; (None, None) for a post that is none."""
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    return _ref(reply.get("root")), _ref(reply.get("parent"))


def quoted_uri(record: dict[str, Any]) -> str | None:
    """The URI of the post a quote post embeds (plain or with media), if any."""
    embed = record.get("embed") if isinstance(record.get("embed"), dict) else {}
    inner = embed.get("record") if isinstance(embed.get("record"), dict) else {}
    if isinstance(inner.get("record"), dict):  # app.bsky.embed.recordWithMedia
        inner = inner["record"]
    uri = inner.get("uri")
    return uri if isinstance(uri, str) and f"/{POST}/" in uri else None


def mentioned_dids(record: dict[str, Any]) -> set[str]:
    dids = set()
    for facet in record.get("facets") or []:
        for feature in (facet.get("features") or []) if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and feature.get("$type") == MENTION:
                dids.add(str(feature.get("did", "")))
    return dids


def concerns(record: dict[str, Any], author_did: str, brand_did: str) -> bool:
    """Whether a post belongs in the brand's inbox: someone else's reply in a thread of the
    brand's post, a reply to one of its posts, a mention of it, or a quote of its post."""
    if author_did == brand_did or record.get("$type", POST) != POST:
        return False
    root, parent = reply_refs(record)
    if any(ref and did_of(ref["uri"]) == brand_did for ref in (root, parent)):
        return True
    quoted = quoted_uri(record)
    quotes_brand = quoted is not None and did_of(quoted) == brand_did
    return quotes_brand or brand_did in mentioned_dids(record)


def image_alts(record: dict[str, Any]) -> list[str]:
    """The alt texts of a post's images, in order (none: no images)."""
    embed = record.get("embed") if isinstance(record.get("embed"), dict) else {}
    if isinstance(embed.get("media"), dict):  # recordWithMedia
        embed = embed["media"]
    return [str(image.get("alt", "")) for image in embed.get("images") or []
            if isinstance(image, dict)]


def _images(record: dict[str, Any], service: str, author_did: str) -> list[dict[str, Any]]:
    embed = record.get("embed") if isinstance(record.get("embed"), dict) else {}
    if isinstance(embed.get("media"), dict):  # recordWithMedia
        embed = embed["media"]
    media = []
    for image in embed.get("images") or []:
        blob = image.get("image") if isinstance(image, dict) else None
        ref = blob.get("ref") if isinstance(blob, dict) else None
        # JSON has {"$link": cid}; the firehose's CBOR a CID object.
        link = ref.get("$link") if isinstance(ref, dict) else (None if ref is None else str(ref))
        if not link:
            continue
        media.append({
            "type": "image",
            "url": f"{service}/xrpc/com.atproto.sync.getBlob?did={author_did}&cid={link}",
            "alt": str(image.get("alt", "")),
            "mime_type": str(blob.get("mimeType", "")),
        })
    return media


def post_item(*, channel: int, uri: str, cid: str, record: dict[str, Any], author: Author,
              brand_did: str, service: str, kind: Kind | None = None) -> InboundItem:
    """One post as an inbox item: a ``comment`` when it answers in a thread of the brand's
    post or to one of its posts, else a ``mention`` (a mention or a quote); ``kind`` given
    wins."""
    root, parent = reply_refs(record)
    in_brand_thread = any(ref and did_of(ref["uri"]) == brand_did for ref in (root, parent))
    return InboundItem(
        network="bluesky", channel=channel, external_id=uri,
        kind=kind or ("comment" if in_brand_thread else "mention"),
        created_at=parse_time(str(record.get("createdAt") or datetime.now(UTC).isoformat())),
        author=author, text=str(record.get("text", "")),
        thread_key=root["uri"] if root else uri,
        parent_external_id=parent["uri"] if parent else None,
        media=_images(record, service, author.external_id),
        url=web_url(uri), is_public=True,
        raw={"uri": uri, "cid": cid, "root": root, "parent": parent, "quotes": quoted_uri(record)},
    )


def author_of(profile: dict[str, Any]) -> Author:
    """An ``app.bsky.actor.defs#profileViewBasic`` (a notification's ``author``)."""
    return Author(external_id=profile["did"], handle=str(profile.get("handle", ""))[:255],
                  name=str(profile.get("displayName") or "")[:255],
                  avatar_url=profile.get("avatar"))


def notification_item(notification: dict[str, Any], *, channel: int, brand_did: str,
                      service: str) -> InboundItem | None:
    """A notification of ``listNotifications`` as an item; None for likes, follows, reposts."""
    record = notification.get("record")
    if notification.get("reason") not in INBOX_REASONS or not isinstance(record, dict):
        return None
    return post_item(channel=channel, uri=notification["uri"], cid=notification.get("cid", ""),
                     record=record, author=author_of(notification["author"]),
                     brand_did=brand_did, service=service)


def search_item(post: dict[str, Any], *, channel: int, brand_did: str,
                service: str) -> InboundItem | None:
    """A post of ``app.bsky.feed.searchPosts`` (a ``postView``) as a listening item: always a
    ``mention``, with the inbox's ids (``at://`` URI, root post as thread) so a post found by
    search and by the inbox is stored once. None for the brand's own posts."""
    record = post.get("record")
    author = post.get("author") or {}
    if not isinstance(record, dict) or author.get("did") == brand_did:
        return None
    return post_item(channel=channel, uri=post["uri"], cid=post.get("cid", ""), record=record,
                     author=author_of(author), brand_did=brand_did, service=service,
                     kind="mention")
