"""Mastodon entities to Breakwater items, and how Mastodon counts a status's length.

Pure functions over the documented JSON shapes (Notification, Status, Account, Instance),
so they work on Mastodon.py's answers (dict subclasses) and on recorded fixtures alike.
Docs followed: docs.joinmastodon.org/entities/Notification, /entities/Status,
/entities/Instance (``configuration.statuses``), /user/posting (URLs count 23 characters,
a remote mention counts only its username).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import nh3
import regex

from breakwater.connectors.base import Author, InboundItem, Kind

# Visibilities anyone can read; "private" (followers only) and "direct" (only the people
# mentioned) are not.
PUBLIC_VISIBILITIES = frozenset({"public", "unlisted"})
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23
DEFAULT_MAX_MEDIA = 4
DEFAULT_IMAGE_SIZE = 16 * 1024 * 1024
DEFAULT_VIDEO_SIZE = 99 * 1024 * 1024
DEFAULT_MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# What Mastodon counts as a link (any http(s) URL) and as a mention (@user or @user@domain).
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w/])@(\w+(?:[.\-]+\w+)*)@[\w.\-]+\w", re.UNICODE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """What ``/api/v2/instance`` says a status may hold."""

    max_characters: int = DEFAULT_MAX_CHARACTERS
    characters_reserved_per_url: int = DEFAULT_URL_LENGTH
    max_media_attachments: int = DEFAULT_MAX_MEDIA
    supported_mime_types: tuple[str, ...] = DEFAULT_MEDIA_TYPES
    image_size_limit: int = DEFAULT_IMAGE_SIZE
    video_size_limit: int = DEFAULT_VIDEO_SIZE

    @classmethod
    def from_instance(cls, instance: Mapping[str, Any]) -> Limits:
        configuration = instance.get("configuration") or {}
        statuses = configuration.get("statuses") or {}
        media = configuration.get("media_attachments") or {}
        return cls(
            max_characters=int(statuses.get("max_characters") or DEFAULT_MAX_CHARACTERS),
            characters_reserved_per_url=int(
                statuses.get("characters_reserved_per_url") or DEFAULT_URL_LENGTH),
            max_media_attachments=int(statuses.get("max_media_attachments") or DEFAULT_MAX_MEDIA),
            supported_mime_types=tuple(media.get("supported_mime_types") or DEFAULT_MEDIA_TYPES),
            image_size_limit=int(media.get("image_size_limit") or DEFAULT_IMAGE_SIZE),
            video_size_limit=int(media.get("video_size_limit") or DEFAULT_VIDEO_SIZE),
        )

    def size_limit(self, content_type: str) -> int:
        """Images have their own limit; video and audio share the video one."""
        return self.image_size_limit if content_type.startswith("image/") else self.video_size_limit


def post_problem(text: str, media: list[tuple[str, int]], limits: Limits) -> str | None:
    """Why the server would refuse a status with ``text`` and ``media`` (type, bytes) — what
    to change, in words for the person publishing — or None if it fits."""
    length = status_length(text, limits)
    if length > limits.max_characters:
        return (f"{length} characters as Mastodon counts them (each link "
                f"{limits.characters_reserved_per_url}), at most {limits.max_characters}. "
                "Shorten the text and publish again.")
    if len(media) > limits.max_media_attachments:
        return (f"{len(media)} attachments, at most {limits.max_media_attachments}. "
                "Remove some and publish again.")
    for number, (content_type, size) in enumerate(media, 1):
        if content_type not in limits.supported_mime_types:
            return (f"attachment {number} is {content_type}, which the server does not take "
                    f"(it takes {', '.join(limits.supported_mime_types)}). "
                    "Convert it and publish again.")
        most = limits.size_limit(content_type)
        if size > most:
            return (f"attachment {number} is {size:,} bytes, at most {most:,} for its type. "
                    "Make it smaller and publish again.")
    return None


def status_length(text: str, limits: Limits) -> int:
    """The length Mastodon checks: grapheme clusters, every URL as the reserved length, a
    remote mention ``@user@domain`` as ``@user``."""
    placeholder = "x" * limits.characters_reserved_per_url
    countable = _MENTION.sub(lambda m: "@" + m.group(1), _URL.sub(placeholder, text))
    return len(regex.findall(r"\X", countable))


def plain_text(content: str) -> str:
    """A status's HTML ``content`` as text: paragraphs and line breaks kept, tags dropped."""
    marked = _PARAGRAPH.sub("\n\n", _BREAK.sub("\n", content or ""))
    return html.unescape(nh3.clean(marked, tags=set())).strip()


def parse_time(value: Any) -> datetime:
    """A documented Datetime (ISO 8601, UTC) or Mastodon.py's parsed one, always aware."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def author(account: Mapping[str, Any]) -> Author:
    """An account as an author: its profile URL is its id, unique across instances (the
    numeric id is only unique on the instance that answered)."""
    return Author(
        external_id=str(account.get("url") or account["id"])[:255],
        handle=("@" + str(account.get("acct") or account.get("username") or ""))[:255],
        name=str(account.get("display_name") or account.get("username") or "")[:255],
        avatar_url=account.get("avatar") or None,
    )


def _media(status: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {"type": m.get("type") or "unknown", "url": m.get("url") or m.get("remote_url") or "",
         "preview_url": m.get("preview_url") or "", "description": m.get("description") or ""}
        for m in status.get("media_attachments") or []
    ]


def _kind(visibility: str, direction: Literal["in", "out"], in_reply_to: Any) -> Kind:
    if direction == "out":
        return "reply" if in_reply_to else "post"
    return "dm" if visibility == "direct" else "mention"


def post_text(text: str, link: str | None) -> str:
    """A post's text with its link at the end, unless the text already has it."""
    return f"{text}\n\n{link}" if link and link not in text else text


def hashtag(query: str) -> str | None:
    """The tag of a ``#hashtag`` query (no ``#``), or None for any other query."""
    found = re.fullmatch(r"#(\w+)", query.strip(), re.UNICODE)
    return found.group(1) if found else None


def timeline(query: str) -> str | None:
    """``"public"`` or ``"local"`` for a ``timeline:public`` / ``timeline:local`` query (the
    server's whole public timeline, or only its own users' part), None for any other query."""
    found = re.fullmatch(r"timeline:(public|local)", query.strip().lower())
    return found.group(1) if found else None


def status_item(status: Mapping[str, Any], *, network: str, channel: int, root_id: str,
                notification_id: str | None = None,
                direction: Literal["in", "out"] = "in") -> InboundItem:
    """One status as an inbox item, threaded under ``root_id`` (its conversation's first
    status). A direct status is a DM: private, and answered privately. ``direction="out"``:
    the brand's own status."""
    visibility = str(status.get("visibility") or "public")
    text = plain_text(str(status.get("content") or ""))
    warning = str(status.get("spoiler_text") or "")
    in_reply_to = status.get("in_reply_to_id")
    return InboundItem(
        network=network,
        channel=channel,
        external_id=str(status["id"]),
        kind=_kind(visibility, direction, in_reply_to),
        direction=direction,
        created_at=parse_time(status["created_at"]),
        author=author(status["account"]),
        text=f"{warning}\n\n{text}" if warning else text,
        thread_key=str(root_id),
        parent_external_id=str(in_reply_to) if in_reply_to else None,
        html=nh3.clean(str(status.get("content") or "")) or None,
        media=_media(status),
        url=(status.get("url") or status.get("uri") or None),
        is_public=visibility in PUBLIC_VISIBILITIES,
        raw={
            "notification_id": notification_id,
            "visibility": visibility,
            "acct": status["account"].get("acct"),
            "account_id": str(status["account"]["id"]),
            "language": status.get("language"),
            "spoiler_text": warning,
        },
    )


def root_of(status: Mapping[str, Any], ancestors: list[Mapping[str, Any]]) -> str:
    """The conversation's root: the oldest ancestor we can see, else the status itself."""
    return str(ancestors[0]["id"]) if ancestors else str(status["id"])


def reply_text(text: str, acct: str) -> str:
    """The reply as Mastodon expects it: the author's mention first, unless it is there."""
    mention = "@" + acct
    if re.search(rf"(?<![\w@]){re.escape(mention)}(?![\w@.])", text, re.IGNORECASE):
        return text
    return f"{mention} {text}"


def same_text(content: str, text: str) -> bool:
    """Whether a status's HTML ``content`` renders ``text`` (whitespace aside): how a reply
    we sent is recognised after an unknown outcome."""
    return "".join(plain_text(content).split()) == "".join(text.split())
