"""Mail as items: one RFC 5322 message becomes one ``InboundItem`` (pure: bytes in, item out).

Threading follows the headers mail clients write: the first ``References`` entry is the root
of the thread (RFC 5322 asks clients to keep it when they trim the list), else
``In-Reply-To``, else the message's own ``Message-ID``. The thread key is that root, so
every message of one email thread lands in one conversation, whoever answers.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

import nh3

from breakwater.connectors.base import Author, InboundItem

MSGID = re.compile(r"<[^<>\s]+>")
# Ids longer than a conversation's thread key (255) are kept as a digest of themselves.
MAX_ID = 255


def message_id(value: str) -> str:
    """A Message-ID as stored: ``<local@domain>``, a digest when it is too long."""
    if len(value) <= MAX_ID:
        return value
    return f"<{hashlib.sha256(value.encode()).hexdigest()}@long-id.invalid>"


def msg_ids(header: str | None) -> list[str]:
    """The ``<...>`` ids of a References or In-Reply-To header, in order."""
    return MSGID.findall(str(header or ""))


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def own_id(msg: EmailMessage, raw: bytes) -> str:
    """The message's Message-ID; a message without one gets a stable digest of its bytes."""
    found = msg_ids(msg.get("Message-ID"))
    if found:
        return message_id(found[0])
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def parent_id(msg: EmailMessage) -> str | None:
    replied = msg_ids(msg.get("In-Reply-To")) or msg_ids(msg.get("References"))[-1:]
    return message_id(replied[0]) if replied else None


def thread_root(msg: EmailMessage, own: str) -> str:
    """The Message-ID of the first message of the thread this one belongs to."""
    chain = msg_ids(msg.get("References")) or msg_ids(msg.get("In-Reply-To"))
    return message_id(chain[0]) if chain else own


def references_for_reply(parent: EmailMessage, parent_msgid: str) -> list[str]:
    """What a reply to ``parent`` carries in References: the parent's chain plus the parent
    (at most 20 ids, always keeping the root, as RFC 5322 section 3.6.4 suggests)."""
    chain = msg_ids(parent.get("References")) or msg_ids(parent.get("In-Reply-To"))
    chain = [*[i for i in chain if i != parent_msgid], parent_msgid]
    return chain if len(chain) <= 20 else [chain[0], *chain[-19:]]


def addresses(msg: EmailMessage, header: str) -> list[tuple[str, str]]:
    return [(name, addr) for name, addr in getaddresses([str(h) for h in msg.get_all(header, [])]) if addr]


def plain_text(markup: str) -> str:
    """Readable text of an HTML body: tags dropped, entities decoded, blank runs squeezed."""
    text = html.unescape(nh3.clean(re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", markup),
                                   tags=set(), clean_content_tags={"script", "style", "head", "title"}))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _no_remote_images(tag: str, attribute: str, value: str) -> str | None:
    # Remote images in mail are mostly trackers: showing the mail must not tell the sender.
    return None if tag == "img" and attribute in ("src", "srcset") else value


def sanitise(markup: str) -> str:
    """Mail HTML safe to show: nh3's allow-list, and no remote images."""
    return nh3.clean(markup, attribute_filter=_no_remote_images)


def _content(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown or lying charset: keep what decodes
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Body:
    text: str
    html: str | None
    parts: tuple[int, ...]  # walk() indexes of the parts used as the body


def body(msg: EmailMessage) -> Body:
    """The text (from text/plain, else from the HTML) and the sanitised HTML, if any."""
    parts = list(msg.walk())
    plain = msg.get_body(preferencelist=("plain",))
    rich = msg.get_body(preferencelist=("html",))
    used = tuple(i for i, p in enumerate(parts) if p is plain or p is rich)
    markup = _content(rich) if rich is not None else None
    if plain is not None:
        text = _content(plain).strip()
    else:
        text = plain_text(markup) if markup else ""
    return Body(text=text, html=sanitise(markup) if markup else None, parts=used)


def attachments(msg: EmailMessage, skip: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    """Every attached or embedded file: name, type, size and digest; the bytes stay in the
    mailbox, found again by the message's Message-ID and the part's index."""
    found = []
    for index, part in enumerate(msg.walk()):
        if part.is_multipart() or index in skip or part.get_content_maintype() == "message":
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() not in ("attachment", "inline"):
            if part.get_content_maintype() == "text":
                continue  # an alternative body we did not pick, not a file
        data = part.get_payload(decode=True) or b""
        content_type = part.get_content_type()
        found.append({
            "type": "image" if part.get_content_maintype() == "image" else "file",
            "name": name or f"part-{index}",
            "content_type": content_type,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "part": index,
            "content_id": (part.get("Content-ID") or "").strip("<> ") or None,
        })
    return found


def attachment_bytes(raw: bytes, index: int) -> bytes:
    part = list(parse(raw).walk())[index]
    return part.get_payload(decode=True) or b""


def _when(msg: EmailMessage, fallback: datetime) -> datetime:
    try:
        when = parsedate_to_datetime(str(msg.get("Date")))
    except (TypeError, ValueError):
        return fallback
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _author(msg: EmailMessage, outgoing: bool, address: str) -> Author:
    sender = addresses(msg, "From")
    name, addr = sender[0] if sender else ("", address if outgoing else "unknown@invalid")
    return Author(external_id=addr.lower()[:255], handle=addr[:255], name=name[:255])


def to_item(raw: bytes, *, network: str, channel: int, address: str, folder: str,
            uidvalidity: int, uid: int, sent_folder: bool, received: datetime) -> InboundItem:
    """One fetched message as an item. Mail from the channel's own address, or found in the
    Sent folder, is the brand's own (``direction="out"``)."""
    msg = parse(raw)
    own = own_id(msg, raw)
    sender = [a.lower() for _, a in addresses(msg, "From")]
    outgoing = sent_folder or address.lower() in sender
    content = body(msg)
    return InboundItem(
        network=network, channel=channel, external_id=own, kind="dm",
        created_at=_when(msg, received), author=_author(msg, outgoing, address),
        text=content.text, html=content.html, thread_key=thread_root(msg, own),
        parent_external_id=parent_id(msg), media=attachments(msg, content.parts),
        is_public=False, direction="out" if outgoing else "in",
        raw={
            "subject": str(msg.get("Subject") or ""),
            "from": [a for _, a in addresses(msg, "From")],
            "to": [a for _, a in addresses(msg, "To")],
            "cc": [a for _, a in addresses(msg, "Cc")],
            "folder": folder, "uidvalidity": uidvalidity, "uid": uid,
        },
    )
