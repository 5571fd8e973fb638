"""The event bus: actions announce changes; live views and other domains listen.

Events flow up, calls flow down: the domain publishes here and never imports ``web/``.
Two kinds of listener:

* handlers (``on(event_type)``) run synchronously inside the publishing transaction,
  for domain reactions such as the inbox updating a message when its delivery changes;
* subscribers (``subscribe(workspace_id)``) get events after commit, for SSE streams.
  In-process by default; with Redis, every web process sees every workspace's events.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "breakwater:events:"

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def on(event_type: str) -> Callable[[Handler], Handler]:
    """Register a synchronous domain handler for ``event_type``."""

    def register(fn: Handler) -> Handler:
        _handlers[event_type].append(fn)
        return fn

    return register


class Subscription:
    """A live listener for one workspace; ``callback`` is called from any thread."""

    def __init__(self, broadcaster: Broadcaster, workspace_id: int, callback: Callable[[dict], None]):
        self.broadcaster = broadcaster
        self.workspace_id = workspace_id
        self.callback = callback

    def close(self) -> None:
        self.broadcaster.unsubscribe(self)


class Broadcaster:
    """Fans events out to this process's subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[int, set[Subscription]] = defaultdict(set)

    def subscribe(self, workspace_id: int, callback: Callable[[dict], None]) -> Subscription:
        sub = Subscription(self, workspace_id, callback)
        with self._lock:
            self._subs[workspace_id].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subs[sub.workspace_id].discard(sub)

    def deliver(self, workspace_id: int, event: dict[str, Any]) -> None:
        with self._lock:
            subs = list(self._subs.get(workspace_id, ()))
        for sub in subs:
            try:
                sub.callback(event)
            except Exception:
                log.exception("event subscriber failed")

    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subs.values())


broadcaster = Broadcaster()
_redis_listener: RedisListener | None = None
_listener_lock = threading.Lock()


class RedisListener(threading.Thread):
    """One thread per process relays Redis pub/sub messages to local subscribers."""

    def __init__(self, url: str):
        super().__init__(name="breakwater-events", daemon=True)
        import redis

        self.client = redis.Redis.from_url(url)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.pubsub.psubscribe(CHANNEL_PREFIX + "*")
        self.ready = threading.Event()

    def run(self) -> None:
        self.ready.set()
        while True:
            try:
                for message in self.pubsub.listen():
                    self._relay(message)
            except Exception:
                log.exception("redis event listener lost its connection; reconnecting")
                threading.Event().wait(1)

    @staticmethod
    def _relay(message: dict[str, Any]) -> None:
        channel = message["channel"].decode()
        workspace_id = int(channel.removeprefix(CHANNEL_PREFIX))
        broadcaster.deliver(workspace_id, json.loads(message["data"]))


def _use_redis() -> bool:
    return bool(settings.BREAKWATER_EVENTS_REDIS and settings.REDIS_URL)


def ensure_listener() -> None:
    """Start the Redis relay once per process (web processes call this before streaming)."""
    global _redis_listener
    if not _use_redis():
        return
    with _listener_lock:
        if _redis_listener is None:
            _redis_listener = RedisListener(settings.REDIS_URL)
            _redis_listener.start()
            _redis_listener.ready.wait(5)


def subscribe(workspace_id: int, callback: Callable[[dict], None]) -> Subscription:
    ensure_listener()
    return broadcaster.subscribe(workspace_id, callback)


@functools.cache
def _redis_client(url: str) -> Any:
    import redis

    # redis-py clients are thread-safe and pool their connections: one per process.
    return redis.Redis.from_url(url)


def _fan_out(workspace_id: int, event: dict[str, Any]) -> None:
    if not _use_redis():
        broadcaster.deliver(workspace_id, event)
        return
    import redis

    try:
        _redis_client(settings.REDIS_URL).publish(
            f"{CHANNEL_PREFIX}{workspace_id}", json.dumps(event)
        )
    except redis.RedisError:
        # Live views fall back to polling; the change itself is already committed.
        log.exception("could not publish event to redis")


def handle(event_type: str, /, **data: Any) -> None:
    """Run the domain handlers of an event that live views do not need (e.g. the full list
    of what one ingest batch stored), inside the caller's transaction."""
    event = {"type": event_type, **data}
    for handler in _handlers.get(event_type, ()):
        handler(event)


def publish(workspace_id: int, event_type: str, /, **data: Any) -> None:
    """Run domain handlers now; announce to live listeners once the transaction commits.

    Positional-only, so an event may carry ``workspace_id`` (or ``event_type``) in its data.
    """
    event = {"type": event_type, **data}
    for handler in _handlers.get(event_type, ()):
        handler(event)
    transaction.on_commit(lambda: _fan_out(workspace_id, event))
