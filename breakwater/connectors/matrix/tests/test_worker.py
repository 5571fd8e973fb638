"""A real ``breakwater worker`` follows a Matrix channel by its /sync long poll, and a worker
killed between fetch and store loses nothing: the next one resumes from the saved cursor."""

from __future__ import annotations

import signal
import tempfile
import time
from pathlib import Path

import pytest
from django.test import TransactionTestCase

from breakwater.test import WorkerProcesses
from breakwater.connectors.matrix.tests.homeserver import Synapse
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Role
from breakwater.inbox.models import Message
from breakwater.ingest.models import SyncState

pytestmark = [pytest.mark.xdist_group("matrix"), pytest.mark.usefixtures("synapse_on_class")]


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
class WorkerTestCase(WorkerProcesses, TransactionTestCase):
    synapse: Synapse

    def texts(self) -> list[str]:
        return sorted(Message.objects.values_list("text", flat=True))

    def test_the_worker_streams_and_a_kill_between_fetch_and_store_loses_nothing(self) -> None:
        brand, customer = self.synapse.account("brand"), self.synapse.account("asiakas")
        room = customer.create_room(public=True, name="Yhteisö")
        owner = do_create_user("owner@example.org", "long enough pw", "matrix", Role.OWNER)
        channel = do_create_channel(
            owner,
            "matrix",
            "Matrix",
            {
                "homeserver": self.synapse.url,
                "user_id": brand.user_id,
                "access_token": brand.access_token,
                "room_id": room,
            },
        )
        log = Path(tempfile.mkdtemp()) / "worker.log"

        first = self.start_worker(log)
        def polled() -> bool:
            # The first poll has run (a streamed page does not move the poll's turn): the
            # next one is minutes away, so only the open long poll can bring a message now.
            state = SyncState.objects.get(pk=channel.pk)
            return bool(state.cursor) and state.next_poll_at.timestamp() > time.time() + 60

        self.wait_for("first sync", polled, first, log)
        customer.send(room, "Suorana")
        self.wait_for("streamed message", lambda: self.texts() == ["Suorana"], first, log)
        self.kill(first)

        cursor = SyncState.objects.get(pk=channel.pk).cursor
        fetched = log.read_text(errors="replace").count("fetched 1 items")
        second = self.start_worker(log, BREAKWATER_SYNC_FAULT_PAUSE="60")
        customer.send(room, "Katkon aikana")
        self.wait_for(
            "fetch of the new message",
            lambda: log.read_text(errors="replace").count("fetched 1 items") > fetched,
            second,
            log,
        )
        second.send_signal(signal.SIGKILL)
        second.wait(timeout=30)
        self.assertEqual(self.texts(), ["Suorana"])
        self.assertEqual(SyncState.objects.get(pk=channel.pk).cursor, cursor)

        third = self.start_worker(log)
        self.wait_for(
            "the message the killed worker fetched",
            lambda: self.texts() == ["Katkon aikana", "Suorana"],
            third,
            log,
        )
        self.kill(third)
        self.assertEqual(Message.objects.count(), 2)
