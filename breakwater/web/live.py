"""Server-sent events: an open inbox or conversation page hears about changes at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from breakwater.core import events
from breakwater.core.actions import access_membership
from breakwater.core.errors import NotFound

KEEPALIVE_SECONDS = 15
QUEUE_SIZE = 200


async def stream(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse("sign in first", status=401)
    try:
        member = await sync_to_async(access_membership)(user, request.session.get("workspace_id"))
    except NotFound:
        return HttpResponse("no workspace", status=403)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)

    def put(event: dict[str, Any]) -> None:
        # A slow browser drops events rather than growing memory; it refreshes anyway.
        if not queue.full():
            queue.put_nowait(event)

    sub = await sync_to_async(events.subscribe)(
        member.workspace_id, lambda event: loop.call_soon_threadsafe(put, event)
    )
    response = StreamingHttpResponse(_events(queue, sub), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


async def _events(queue: asyncio.Queue[dict[str, Any]], sub: events.Subscription) -> AsyncIterator[str]:
    try:
        yield "retry: 2000\n\n"
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if event.get("type") == "conversations.changed":
                data = {"ids": event.get("conversation_ids", []), "created": event.get("created", 0)}
                yield f"event: conversations\ndata: {json.dumps(data)}\n\n"
            elif event.get("type") == "presence":
                keys = ("conversation_id", "user_id", "name", "state")
                yield f"event: presence\ndata: {json.dumps({k: event.get(k) for k in keys})}\n\n"
    finally:
        sub.close()
