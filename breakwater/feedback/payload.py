"""What a forward says: a plain-text email and a Slack/Teams-compatible webhook body.

Pure: plain values in, plain values out. Slack reads ``blocks`` (falling back to ``text``
in notifications); Teams' incoming webhooks and most chat tools read ``text``, so ``text``
alone carries everything too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Slack allows 50 blocks and 3000 characters in a section's text.
MAX_ITEMS_IN_BLOCKS = 20
MAX_SECTION = 2900


@dataclass(frozen=True)
class ForwardItem:
    text: str
    author: str
    network: str
    channel: str
    category: str
    note: str
    created_at: datetime
    link: str  # to the conversation in Breakwater
    url: str = ""  # the message on its network, when known


@dataclass(frozen=True)
class ForwardContent:
    title: str  # e.g. "Feedback from Acme: Bug"
    comment: str
    forwarded_by: str
    items: Sequence[ForwardItem]


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in (text or "").splitlines() or [""])


def _item_text(item: ForwardItem) -> str:
    lines = [
        f"{item.category} · {item.author} on {item.network} ({item.channel}), "
        f"{item.created_at:%Y-%m-%d %H:%M %Z}".rstrip(),
        _quote(item.text),
    ]
    if item.note:
        lines.append(f"Note: {item.note}")
    lines.append(f"Conversation: {item.link}")
    if item.url:
        lines.append(f"On {item.network}: {item.url}")
    return "\n".join(lines)


def plain_text(content: ForwardContent) -> str:
    head = [content.title, f"Forwarded by {content.forwarded_by}"]
    if content.comment:
        head.append(f"Comment: {content.comment}")
    return "\n\n".join(["\n".join(head), *(_item_text(i) for i in content.items)])


def _mrkdwn_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _item_block(item: ForwardItem) -> dict[str, Any]:
    quoted = _quote(_mrkdwn_escape(item.text))
    body = (
        f"*{_mrkdwn_escape(item.category)}* · {_mrkdwn_escape(item.author)} on "
        f"{_mrkdwn_escape(item.network)} ({_mrkdwn_escape(item.channel)})\n{quoted}"
    )
    if item.note:
        body += f"\n_Note:_ {_mrkdwn_escape(item.note)}"
    body += f"\n<{item.link}|Open the conversation>"
    if item.url:
        body += f" · <{item.url}|View on {_mrkdwn_escape(item.network)}>"
    return {"type": "section", "text": {"type": "mrkdwn", "text": body[:MAX_SECTION]}}


def webhook_body(content: ForwardContent) -> dict[str, Any]:
    context = f"Forwarded by {_mrkdwn_escape(content.forwarded_by)}"
    if content.comment:
        context += f": {_mrkdwn_escape(content.comment)}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": content.title[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context[:MAX_SECTION]}]},
    ]
    shown = content.items[:MAX_ITEMS_IN_BLOCKS]
    for item in shown:
        blocks += [{"type": "divider"}, _item_block(item)]
    if len(content.items) > len(shown):
        more = len(content.items) - len(shown)
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f"…and {more} more in the text of this message"}
                ],
            }
        )
    return {
        "text": plain_text(content),
        "blocks": blocks,
        # Plain fields for tools that read JSON rather than show it (Zapier, n8n, scripts).
        "breakwater": {
            "title": content.title,
            "comment": content.comment,
            "forwarded_by": content.forwarded_by,
            "items": [
                {
                    "text": i.text,
                    "author": i.author,
                    "network": i.network,
                    "channel": i.channel,
                    "category": i.category,
                    "note": i.note,
                    "created_at": i.created_at.isoformat(),
                    "link": i.link,
                    "url": i.url,
                }
                for i in content.items
            ],
        },
    }
