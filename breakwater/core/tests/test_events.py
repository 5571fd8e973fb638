"""The event bus: domain handlers at once, live subscribers after commit, Redis across processes.

These need real commits (``on_commit`` only fires outside the test's own transaction), so
they are ``TransactionTestCase``s. Workspace ids are random and events carry a unique token:
the Redis server may be shared with other test runs publishing at the same time.
"""

import os
import queue
import random
import threading
import unittest
import uuid
from typing import Any

from django.db import transaction
from django.test import TransactionTestCase, override_settings

from breakwater.core import events


class Collector:
    """A subscriber that keeps only the events of this test (by their token)."""

    def __init__(self, token: str):
        self.token = token
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.threads: list[str] = []

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("token") == self.token:
            self.threads.append(threading.current_thread().name)
            self.received.put(event)

    def get(self, timeout: float) -> dict[str, Any] | None:
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain(self) -> list[dict[str, Any]]:
        got = []
        while not self.received.empty():
            got.append(self.received.get_nowait())
        return got


class EventsTestCase(TransactionTestCase):
    def setUp(self) -> None:
        self.workspace_id = random.randint(10**9, 2 * 10**9)  # noqa: S311 (not a secret)
        self.token = uuid.uuid4().hex
        self.collector = Collector(self.token)
        self.sub = events.subscribe(self.workspace_id, self.collector)
        self.addCleanup(self.sub.close)

    def test_it_delivers_to_subscribers_after_commit(self) -> None:
        with transaction.atomic():
            events.publish(self.workspace_id, "conversations.changed", token=self.token, n=1)
            self.assertEqual(self.collector.drain(), [])
        self.assertEqual(
            self.collector.drain(), [{"type": "conversations.changed", "token": self.token, "n": 1}]
        )

    def test_it_delivers_nothing_when_the_transaction_rolls_back(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            events.publish(self.workspace_id, "conversations.changed", token=self.token)
            raise RuntimeError("changed my mind")
        # A rolled-back savepoint drops its events too, while the outer transaction commits.
        with transaction.atomic():
            with self.assertRaises(RuntimeError), transaction.atomic():
                events.publish(self.workspace_id, "conversations.changed", token=self.token, n=1)
                raise RuntimeError("not this one")
            events.publish(self.workspace_id, "conversations.changed", token=self.token, n=2)
        self.assertEqual([e["n"] for e in self.collector.drain()], [2])

    def test_it_runs_domain_handlers_at_once_inside_the_transaction(self) -> None:
        seen: list[dict[str, Any]] = []
        event_type = f"test.{self.token}"
        events.on(event_type)(seen.append)
        self.addCleanup(events._handlers.pop, event_type, None)
        with self.assertRaises(RuntimeError), transaction.atomic():
            events.publish(self.workspace_id, event_type, token=self.token)
            self.assertEqual(len(seen), 1)
            raise RuntimeError("rolled back")
        self.assertEqual(self.collector.drain(), [])

    def test_it_keeps_workspaces_apart(self) -> None:
        events.publish(self.workspace_id + 1, "conversations.changed", token=self.token)
        self.assertEqual(self.collector.drain(), [])
        self.sub.close()
        events.publish(self.workspace_id, "conversations.changed", token=self.token)
        self.assertEqual(self.collector.drain(), [])

    def test_it_lets_an_event_carry_a_workspace_id(self) -> None:
        events.publish(
            self.workspace_id,
            "delivery.updated",
            workspace_id=self.workspace_id,
            token=self.token,
            ref="",
        )
        self.assertEqual(self.collector.drain()[0]["workspace_id"], self.workspace_id)


@unittest.skipUnless(os.environ.get("REDIS_URL"), "REDIS_URL is not set")
class RedisEventsTestCase(TransactionTestCase):
    """An event published here goes to Redis and comes back through the relay thread.

    The relay (``events._redis_listener``) is started once per process and left running: it
    has no stop switch, and a second one would deliver every event twice.
    """

    def setUp(self) -> None:
        self.settings_override = override_settings(
            BREAKWATER_EVENTS_REDIS=True, REDIS_URL=os.environ["REDIS_URL"]
        )
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)
        if events._redis_listener is not None and not events._redis_listener.is_alive():
            events._redis_listener = None
        events._redis_client.cache_clear()
        self.addCleanup(events._redis_client.cache_clear)
        self.workspace_id = random.randint(10**9, 2 * 10**9)  # noqa: S311
        self.token = uuid.uuid4().hex
        self.collector = Collector(self.token)
        self.sub = events.subscribe(self.workspace_id, self.collector)
        self.addCleanup(self.sub.close)

    def test_it_round_trips_an_event_through_redis(self) -> None:
        listener = events._redis_listener
        self.assertIsNotNone(listener)
        self.assertTrue(listener.is_alive())
        with transaction.atomic():
            events.publish(self.workspace_id, "conversations.changed", token=self.token, n=1)
            self.assertIsNone(self.collector.get(timeout=0.2))  # nothing before commit
        event = self.collector.get(timeout=5)
        self.assertEqual(event, {"type": "conversations.changed", "token": self.token, "n": 1})
        # It came back through Redis (the relay thread), not straight from the broadcaster.
        self.assertEqual(self.collector.threads, ["breakwater-events"])

    def test_it_delivers_an_event_published_by_another_redis_client(self) -> None:
        import json

        import redis

        events.ensure_listener()
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        self.addCleanup(client.close)
        payload = json.dumps({"type": "conversations.changed", "token": self.token})
        # As another web process would: straight onto the workspace's channel.
        client.publish(f"{events.CHANNEL_PREFIX}{self.workspace_id}", payload)
        self.assertEqual(self.collector.get(timeout=5)["type"], "conversations.changed")

    def test_it_publishes_nothing_on_rollback(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            events.publish(self.workspace_id, "conversations.changed", token=self.token, n=1)
            raise RuntimeError("rolled back")
        events.publish(self.workspace_id, "conversations.changed", token=self.token, n=2)
        # Events on one Redis channel arrive in order: once n=2 is here, n=1 never will.
        self.assertEqual(self.collector.get(timeout=5)["n"], 2)
        self.assertEqual(self.collector.drain(), [])
