"""Matrix events <-> Breakwater items: pure functions over the client-server API's JSON.

Threading (``thread_key``):
* a DM room is one conversation: ``dm|<room>``;
* in a followed (community or team) room, messages of a Matrix thread (``m.thread``) are one
  conversation per thread root: ``room|<room>|<root>``; every other message is in the room's
  own conversation ``room|<room>``. A reply (``m.in_reply_to``) names its parent
  (``parent_external_id``) and stays where its parent is (a reply inside a thread carries
  ``m.thread`` too, by the spec).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import nh3

from breakwater.connectors.base import Author, InboundItem

NETWORK = "matrix"
# Our transaction ids start with this: an event that comes back with one is a reply that
# Breakwater sent itself (the outbox records it), not the brand writing from another client.
TXN_PREFIX = "bw-"
# Content key marking Breakwater's replies, so find_delivery can find them with any token.
KEY_FIELD = "io.breakwater.idempotency_key"
ENCRYPTED_TEXT = "[End-to-end encrypted message: Breakwater cannot read encrypted rooms]"
MEDIA_TYPES = {"m.image": "image", "m.file": "file", "m.video": "video", "m.audio": "audio"}
_MX_REPLY = re.compile(r"<mx-reply>.*?</mx-reply>", re.DOTALL)


@dataclass(frozen=True)
class Thread:
    """Where a conversation lives on Matrix: its room, whether a DM, and its thread root."""

    room_id: str
    dm: bool
    root: str | None = None

    @property
    def key(self) -> str:
        if self.dm:
            return f"dm|{self.room_id}"
        return f"room|{self.room_id}" + (f"|{self.root}" if self.root else "")

    @classmethod
    def parse(cls, key: str) -> Thread:
        kind, _, rest = key.partition("|")
        if kind == "dm" and rest:
            return cls(rest, dm=True)
        room, _, root = rest.partition("|")
        if kind != "room" or not room:
            raise ValueError(f"not a Matrix thread key: {key!r}")
        return cls(room, dm=False, root=root or None)


@dataclass(frozen=True)
class Room:
    """A room this channel follows, as the mapping needs to know it."""

    room_id: str
    dm: bool
    public: bool = False


def relation(content: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(the event replied to, the thread root) from ``m.relates_to``."""
    relates = content.get("m.relates_to")
    if not isinstance(relates, Mapping):
        return None, None
    reply = relates.get("m.in_reply_to")
    parent = reply.get("event_id") if isinstance(reply, Mapping) else None
    root = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
    return (parent or root), root


def strip_reply_fallback(body: str) -> str:
    """The text without the quoted ``> <@user> original`` lines a reply starts with."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _html(content: Mapping[str, Any]) -> str | None:
    if content.get("format") != "org.matrix.custom.html" or not content.get("formatted_body"):
        return None
    return nh3.clean(_MX_REPLY.sub("", str(content["formatted_body"]))) or None


def _media(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    kind = MEDIA_TYPES.get(str(content.get("msgtype")))
    if kind is None or not content.get("url"):
        return []
    info = content.get("info") if isinstance(content.get("info"), Mapping) else {}
    return [
        {
            "type": kind,
            "url": content["url"],
            "name": content.get("body", ""),
            "mimetype": info.get("mimetype", ""),
            "size": info.get("size"),
        }
    ]


def display_names(events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """User id -> display name from the room member events in a sync's state and timeline."""
    names = {}
    for event in events:
        if event.get("type") == "m.room.member" and isinstance(event.get("content"), Mapping):
            name = event["content"].get("displayname")
            if name:
                names[str(event.get("state_key"))] = str(name)
    return names


def is_breakwater_send(event: Mapping[str, Any], user_id: str) -> bool:
    """A reply Breakwater sent as the brand (by its transaction id, seen with the sending
    token, or by the key in its content, seen with any): the outbox already stored it."""
    if event.get("sender") != user_id:
        return False
    unsigned = event.get("unsigned") if isinstance(event.get("unsigned"), Mapping) else {}
    return str(unsigned.get("transaction_id", "")).startswith(TXN_PREFIX) or KEY_FIELD in (
        event.get("content") or {}
    )


def item_from_event(
    event: Mapping[str, Any], room: Room, *, channel: int, user_id: str, names: Mapping[str, str]
) -> InboundItem | None:
    """One room event as an inbox item; None for events that are not messages (state,
    reactions, edits, redactions) and for replies Breakwater sent itself."""
    content = event.get("content") if isinstance(event.get("content"), Mapping) else {}
    if event.get("type") == "m.room.encrypted":
        text, markup, media = ENCRYPTED_TEXT, None, []
    elif event.get("type") == "m.room.message" and "body" in content:
        relates = content.get("m.relates_to")
        if isinstance(relates, Mapping) and relates.get("rel_type") == "m.replace":
            return None
        text, markup, media = (
            strip_reply_fallback(str(content["body"])),
            _html(content),
            _media(content),
        )
    else:
        return None
    if is_breakwater_send(event, user_id) or not event.get("event_id") or not event.get("sender"):
        return None
    parent, root = relation(content)
    sender = str(event["sender"])
    thread = Thread(room.room_id, dm=room.dm, root=None if room.dm else root)
    return InboundItem(
        network=NETWORK,
        channel=channel,
        external_id=str(event["event_id"]),
        kind="dm" if room.dm else "comment",
        created_at=datetime.fromtimestamp(int(event.get("origin_server_ts", 0)) / 1000, UTC),
        author=Author(
            external_id=sender[:255],
            handle=sender[:255],
            name=names.get(sender, sender.lstrip("@").split(":")[0])[:255],
        ),
        text=text,
        html=markup,
        media=media,
        thread_key=thread.key[:255],
        parent_external_id=parent,
        url=f"https://matrix.to/#/{room.room_id}/{event['event_id']}",
        is_public=False if room.dm else room.public,
        direction="out" if sender == user_id else "in",
        raw={"room_id": room.room_id, "type": event.get("type"), "msgtype": content.get("msgtype")},
    )


def items_from_events(
    events: Iterable[Mapping[str, Any]],
    room: Room,
    *,
    channel: int,
    user_id: str,
    names: Mapping[str, str],
) -> list[InboundItem]:
    items = (
        item_from_event(e, room, channel=channel, user_id=user_id, names=names) for e in events
    )
    return [i for i in items if i is not None]


def direct_invites(sync: Mapping[str, Any], user_id: str) -> dict[str, str]:
    """Room id -> inviter, for the invites in a sync answer that are to direct (DM) rooms."""
    invites = {}
    for room_id, room in ((sync.get("rooms") or {}).get("invite") or {}).items():
        for event in (room.get("invite_state") or {}).get("events") or []:
            content = event.get("content") or {}
            if (
                event.get("type") == "m.room.member"
                and event.get("state_key") == user_id
                and content.get("membership") == "invite"
                and content.get("is_direct")
            ):
                invites[room_id] = str(event.get("sender") or "")
    return invites


def rooms_invited(sync: Mapping[str, Any]) -> set[str]:
    return set((sync.get("rooms") or {}).get("invite") or {})


def direct_room_ids(m_direct: Mapping[str, Any]) -> set[str]:
    """The rooms an ``m.direct`` account-data event marks as DMs."""
    return {
        r
        for rooms in m_direct.values()
        if isinstance(rooms, list)
        for r in rooms
        if isinstance(r, str)
    }


def m_direct_in(sync: Mapping[str, Any]) -> dict[str, Any] | None:
    for event in (sync.get("account_data") or {}).get("events") or []:
        if event.get("type") == "m.direct":
            return dict(event.get("content") or {})
    return None


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.split("\n"))


def reply_content(
    text: str, *, thread: Thread, idempotency_key: str, parent: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The content of a reply: ``m.in_reply_to`` the parent (with the quoted fallback body
    older clients show), inside the thread when the conversation is a Matrix thread."""
    content: dict[str, Any] = {"msgtype": "m.text", "body": text, KEY_FIELD: idempotency_key}
    relates: dict[str, Any] = {}
    if parent is not None:
        relates["m.in_reply_to"] = {"event_id": parent["event_id"]}
    if parent is not None and parent.get("content"):
        sender = str(parent.get("sender", ""))
        original = strip_reply_fallback(str((parent.get("content") or {}).get("body", "")))
        link = f"https://matrix.to/#/{thread.room_id}/{parent['event_id']}"
        content["body"] = f"{_quote(f'<{sender}> {original}')}\n\n{text}"
        content["format"] = "org.matrix.custom.html"
        content["formatted_body"] = (
            f'<mx-reply><blockquote><a href="{html.escape(link)}">In reply to</a> '
            f'<a href="https://matrix.to/#/{html.escape(sender)}">{html.escape(sender)}</a><br>'
            f"{html.escape(original)}</blockquote></mx-reply>{html.escape(text)}".replace(
                "\n", "<br>"
            )
        )
        content["m.mentions"] = {"user_ids": [sender]} if sender else {}
    if thread.root:
        relates.update(
            {"rel_type": "m.thread", "event_id": thread.root, "is_falling_back": parent is None}
        )
        if parent is None:
            relates["m.in_reply_to"] = {"event_id": thread.root}
    if relates:
        content["m.relates_to"] = relates
    return content
