"""Bluesky post text: length as the network counts it, and rich-text facets.

Bluesky limits a post to 300 graphemes (user-perceived characters: an emoji with a skin
tone or a family emoji is one) and 3,000 UTF-8 bytes. Mentions and links are *facets*:
ranges given in UTF-8 byte offsets into the text, each with a feature (the mentioned
account's DID, the link's URI).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import regex

MAX_GRAPHEMES = 300
MAX_BYTES = 3000

# A handle is a domain name; the mention starts at a word boundary (not inside an address).
_LABEL = rb"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_MENTION = regex.compile(
    rb"(?:^|[\s(])(@(?:" + _LABEL + rb"\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)
_LINK = regex.compile(rb"(?:^|[\s(])(https?://[^\s]+)")
_TRAILING = b".,;:!?\"')"


def graphemes(text: str) -> int:
    """How many graphemes Bluesky counts in ``text`` (Unicode extended grapheme clusters)."""
    return len(regex.findall(r"\X", text))


def length_problem(text: str) -> str | None:
    """Why ``text`` cannot be posted as it is, or None when it fits."""
    count = graphemes(text)
    if count > MAX_GRAPHEMES:
        return (f"Bluesky posts can have at most {MAX_GRAPHEMES} characters; this one has {count}. "
                "Shorten it (or split it into two posts) and send again.")
    size = len(text.encode())
    if size > MAX_BYTES:
        return (f"Bluesky posts can have at most {MAX_BYTES} bytes of text; this one has {size}. "
                "Shorten it and send again.")
    return None


def facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """Mention and link facets for ``text``; ``resolve_handle`` gives a handle's DID (None:
    no such account, the text stays plain)."""
    data = text.encode()
    found: list[dict[str, Any]] = []
    for match in _MENTION.finditer(data):
        did = resolve_handle(match.group(1)[1:].decode())
        if did:
            found.append(_facet(match.start(1), match.end(1),
                                {"$type": "app.bsky.richtext.facet#mention", "did": did}))
    for match in _LINK.finditer(data):
        uri = match.group(1).rstrip(_TRAILING)
        found.append(_facet(match.start(1), match.start(1) + len(uri),
                            {"$type": "app.bsky.richtext.facet#link", "uri": uri.decode()}))
    return sorted(found, key=lambda f: f["index"]["byteStart"])


def _facet(start: int, end: int, feature: dict[str, str]) -> dict[str, Any]:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}
