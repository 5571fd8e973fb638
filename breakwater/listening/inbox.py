"""Inbox items are listened to as well: after each ingest batch, the public inbound messages
it stored are matched against the workspace's topics and stored as mentions (in the batch's
transaction). A workspace without active topics costs one indexed read per batch."""

from __future__ import annotations

from typing import Any

from breakwater.core import events
from breakwater.inbox.models import Direction, Message
from breakwater.listening import matching, store
from breakwater.listening.store import Candidate

CHUNK = 900


@events.on("messages.ingested")
def on_ingested(event: dict[str, Any]) -> None:
    workspace_id = event["workspace_id"]
    if matching.workspace_matcher(workspace_id) is None:
        return
    ids = list(event["conversation_ids"])
    candidates: list[Candidate] = []
    for i in range(0, len(ids), CHUNK):
        rows = Message.objects.filter(
            conversation_id__in=ids[i:i + CHUNK], received_at=event["received_at"],
            direction=Direction.IN, is_public=True,
        ).values_list("id", "conversation_id", "network", "external_id", "text", "url",
                      "author__handle", "author__name", "language", "created_at",
                      "channel__name", "search_text", "keywords")
        candidates.extend(
            Candidate(network=network, external_id=external_id, text=text or "",
                      created_at=created_at, url=url or "", author=handle or "",
                      author_name=name or "", language=language or "", source_name=channel,
                      search_text=search_text or "", keywords=tuple(keywords or ()),
                      message_id=pk, conversation_id=conversation_id)
            for pk, conversation_id, network, external_id, text, url, handle, name, language,
            created_at, channel, search_text, keywords in rows
        )
    if candidates:
        store.store(workspace_id, candidates)
