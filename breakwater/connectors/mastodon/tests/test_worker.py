"""A real ``breakwater worker`` process follows a Mastodon channel: its sync thread polls
and its streams thread keeps the user stream open, at the same time, against the loopback
server. Each status is stored once, whichever way it came first."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import TransactionTestCase
from django.utils import timezone

from breakwater.test import WorkerProcesses
from breakwater.connectors.mastodon.tests.fake_server import fake_mastodon
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Role
from breakwater.inbox.models import Message
from breakwater.ingest.models import SyncState



@pytest.mark.django_db(transaction=True)
class WorkerTestCase(WorkerProcesses, TransactionTestCase):
    def test_a_worker_streams_and_polls_one_channel_without_duplicates(self) -> None:
        fake = self.enterContext(fake_mastodon())
        _, brand_token = fake.register("aalto", "Aalto Kahvi")
        _, maija_token = fake.register("maija")
        maija = fake.client(maija_token)
        before = maija.status_post("@aalto Kirjoitin ennen kanavan liittämistä")
        member = do_create_user("owner@example.org", "long enough pw", "mastodon", Role.OWNER)
        channel = do_create_channel(member, "mastodon", "Aalto Mastodonissa",
                                    {"base_url": fake.base, "access_token": brand_token})
        log = Path(tempfile.mkdtemp()) / "worker.log"
        worker = self.start_worker(log)

        def stored() -> set[str]:
            return set(Message.objects.filter(channel=channel).values_list("external_id", flat=True))

        self.wait_for("backfill by the first poll", lambda: stored() == {before["id"]}, worker, log)
        self.wait_for("an open stream", lambda: fake.open_streams() > 0, worker, log)
        live = maija.status_post("@aalto Tämä tulee streamin kautta")
        self.wait_for("the streamed mention", lambda: live["id"] in stored(), worker, log)
        self.assertEqual(SyncState.objects.get(pk=channel.pk).cursor, fake.notifications[0]["id"],
                         "it came by the stream: the poll's cursor has not moved")
        # The next poll reads the streamed mention again: it must not be stored twice.
        reads = len([r for r in fake.requests if r["path"] == "/api/v1/notifications"])
        SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())
        self.wait_for("a poll after the stream", lambda: len(
            [r for r in fake.requests if r["path"] == "/api/v1/notifications"]) > reads, worker, log)
        self.wait_for("the poll stored", lambda: SyncState.objects.get(pk=channel.pk).cursor
                      == fake.notifications[-1]["id"], worker, log)
        self.kill(worker)
        twice = (Message.objects.filter(channel=channel).values("external_id")
                 .annotate(n=Count("id")).filter(n__gt=1))
        self.assertEqual(list(twice), [])
        self.assertEqual(stored(), {before["id"], live["id"]})
