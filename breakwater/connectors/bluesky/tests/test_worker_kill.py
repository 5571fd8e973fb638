"""A real ``breakwater worker`` killed between fetching Bluesky posts and storing them loses
nothing: the cursor moves only with the stored items, so the next worker fetches them again."""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import TransactionTestCase

from breakwater.test import WorkerProcesses
from breakwater.connectors.bluesky.tests.stack import Stack
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Role
from breakwater.inbox.models import Message
from breakwater.ingest.models import SyncState

FAULT_PAUSE = 60  # seconds the first worker waits between fetch and store: it dies there


@pytest.mark.fault
@pytest.mark.xdist_group("bluesky")
@pytest.mark.usefixtures("stack_on_class")
@pytest.mark.django_db(transaction=True)
class BlueskyWorkerKillTestCase(WorkerProcesses, TransactionTestCase):
    stack: Stack

    def test_a_worker_killed_between_fetch_and_store_loses_nothing(self) -> None:
        brand, customer = self.stack.account("kahvila"), self.stack.account("maija")
        post = self.stack.post(brand, "Joulukahvi on täällä")
        replies = [self.stack.post(customer, f"Kysymys {n}", reply_to=post)["uri"] for n in (1, 2)]
        self.stack.wait_for_notifications(brand, 2)
        owner = do_create_user("owner@example.org", "long enough pw", "fault", Role.OWNER)
        channel = do_create_channel(owner, "bluesky", "Kahvila", {
            "service": self.stack.pds, "handle": brand.handle,
            "app_password": self.stack.app_password(brand)})

        log = Path(tempfile.mkdtemp()) / "workers.log"
        first = self.start_worker(log, BREAKWATER_SYNC_FAULT_PAUSE=str(FAULT_PAUSE))
        self.wait_for("a fetch of both replies", lambda: f"channel {channel.pk}: fetched 2 items"
                      in log.read_text(errors="replace"), first, log, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        self.assertEqual(first.returncode, -signal.SIGKILL)
        self.assertEqual(Message.objects.filter(channel=channel).count(), 0)
        self.assertEqual(SyncState.objects.get(pk=channel.pk).cursor, "")

        # The dead worker's lease on the channel runs out (5 minutes); here, at once.
        SyncState.objects.filter(pk=channel.pk).update(lease_until=None)
        second = self.start_worker(log)
        self.wait_for("both replies stored",
                      lambda: Message.objects.filter(channel=channel).count() >= 2,
                      second, log, timeout=90)
        self.kill(second)
        stored = list(Message.objects.filter(channel=channel).values_list("external_id", flat=True))
        self.assertEqual(sorted(stored), sorted(replies))
        twice = (Message.objects.values("channel_id", "external_id").annotate(n=Count("id"))
                 .filter(n__gt=1))
        self.assertEqual(list(twice), [])
        self.assertTrue(SyncState.objects.get(pk=channel.pk).cursor)
