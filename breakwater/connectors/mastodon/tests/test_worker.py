"""A real ``breakwater worker`` process follows a Mastodon channel: its sync thread polls
and its streams thread keeps the user stream open, at the same time, against the loopback
server. Each status is stored once, whichever way it came first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import TransactionTestCase
from django.utils import timezone

from breakwater.connectors.mastodon.tests.fake_server import fake_mastodon
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Role
from breakwater.inbox.models import Message
from breakwater.ingest.models import SyncState

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.django_db(transaction=True)
class WorkerTestCase(TransactionTestCase):
    def start_worker(self, log: Path) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "breakwater.settings_test",
            "BREAKWATER_DATA_DIR": str(settings.DATA_DIR),
            "BREAKWATER_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
            "BREAKWATER_LOG_LEVEL": "WARNING",
        }
        out = log.open("ab")
        self.addCleanup(out.close)
        # ``breakwater worker``, run from this checkout (the installed script may import another).
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from breakwater.cli import main; main(sys.argv[1:])",
             "worker"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        self.addCleanup(self.stop, proc)
        return proc

    @staticmethod
    def stop(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def wait_for(self, what: str, condition: Callable[[], bool], proc: subprocess.Popen[bytes],
                 log: Path, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if proc.poll() is not None or time.monotonic() > deadline:
                self.fail(f"no {what} (worker exit code {proc.poll()}):\n"
                          f"{log.read_text(errors='replace')[-5000:]}")
            time.sleep(0.05)

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
        self.stop(worker)
        twice = (Message.objects.filter(channel=channel).values("external_id")
                 .annotate(n=Count("id")).filter(n__gt=1))
        self.assertEqual(list(twice), [])
        self.assertEqual(stored(), {before["id"], live["id"]})
