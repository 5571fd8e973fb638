"""Invariants 1 and 2 under a crash: a worker killed mid-batch loses nothing, stores nothing twice.

Real ``breakwater worker`` processes drain the inbound log of the test database; the first
is SIGKILLed while it is working, the second must finish everything it left behind.
"""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import TransactionTestCase

from breakwater.test import WorkerProcesses
from breakwater.connectors.demo.simulator import generate_items
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Role
from breakwater.inbox.models import Message
from breakwater.ingest import queue
from breakwater.ingest.models import EventState, InboundEvent

ITEMS = 20_000
REDELIVERED = 2_000  # enqueued twice, as an overlapping webhook and poll would
BATCH = 250


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
class WorkerKillTestCase(WorkerProcesses, TransactionTestCase):
    def test_it_finishes_the_work_of_a_killed_worker(self) -> None:
        member = do_create_user("owner@example.org", "long enough pw", "fault", Role.OWNER)
        channel_ids = [do_create_channel(member, "demo", f"Demo {i}").pk for i in range(3)]
        items = list(generate_items(channel_ids, ITEMS, seed=20251125))
        distinct = {(item["channel"], item["external_id"]) for item in items}
        queue.enqueue(member.workspace_id, items, source="demo")
        queue.enqueue(member.workspace_id, items[:REDELIVERED], source="demo")
        total = ITEMS + REDELIVERED
        self.assertEqual(queue.pending_count(), total)

        def done() -> int:
            return InboundEvent.objects.filter(state=EventState.DONE).count()

        log = Path(tempfile.mkdtemp()) / "workers.log"
        first = self.start_worker(log, BREAKWATER_INGEST_BATCH=str(BATCH), BREAKWATER_LOG_LEVEL="WARNING")
        self.wait_for("a first batch done", lambda: done() > 0, first, log, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        self.assertEqual(first.returncode, -signal.SIGKILL)

        left = queue.pending_count()
        self.assertGreater(left, 0, "the first worker finished everything before it was killed")
        self.assertEqual(done() + left, total)
        self.assertEqual(done() % BATCH, 0, "a batch was marked done only in part")
        # What the dead worker committed is stored; what it was in the middle of is not.
        self.assertLessEqual(Message.objects.count(), len(distinct))

        second = self.start_worker(log, BREAKWATER_INGEST_BATCH=str(BATCH), BREAKWATER_LOG_LEVEL="WARNING")
        self.wait_for(
            "empty inbound log", lambda: queue.pending_count() == 0, second, log, timeout=120
        )
        self.kill(second)

        self.assertEqual(done(), total)
        self.assertFalse(InboundEvent.objects.filter(state=EventState.FAILED).exists())
        self.assertEqual(
            Message.objects.filter(workspace_id=member.workspace_id).count(), len(distinct)
        )
        twice = (
            Message.objects.values("channel_id", "external_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        self.assertEqual(list(twice), [])
        stored = set(Message.objects.values_list("channel_id", "external_id"))
        self.assertEqual(stored, distinct)
