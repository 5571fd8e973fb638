"""A real ``breakwater worker`` syncing an email channel is SIGKILLed between fetching mail
from Dovecot and storing it; the next worker stores everything, once."""

from __future__ import annotations

import signal
import tempfile
import uuid
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import TransactionTestCase

from breakwater.test import WorkerProcesses
from breakwater.connectors.email.tests.mailserver import MailServer
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Role
from breakwater.inbox.models import Message
from breakwater.ingest.models import SyncState

# The worker runs this checkout's code (the console script would import the installed one).


@pytest.mark.fault
@pytest.mark.xdist_group("email")
@pytest.mark.usefixtures("mail_on_class")
@pytest.mark.django_db(transaction=True)
class EmailWorkerKillTestCase(WorkerProcesses, TransactionTestCase):
    mail: MailServer

    def test_a_worker_killed_between_fetch_and_store_loses_no_mail(self) -> None:
        tag = uuid.uuid4().hex[:8]
        support, customer = f"support-{tag}@example.test", f"maija-{tag}@example.org"
        self.mail.add_user(support, "support-pw")
        self.mail.add_user(customer, "customer-pw")
        sent = [self.mail.send(customer, support, f"Kysymys {n}", f"Viesti {n}") for n in range(3)]
        owner = do_create_user(f"owner-{tag}@example.org", "long enough pw", f"fault-{tag}", Role.OWNER)
        channel = do_create_channel(owner, "email", "Support mail", self.mail.channel_config(support))
        log = Path(tempfile.mkdtemp()) / "worker.log"

        first = self.start_worker(log, BREAKWATER_SYNC_FAULT_PAUSE="120")
        self.wait_for("a fetched page", lambda: "fetched 3 items" in log.read_text(errors="replace"),
                      first, log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        self.assertEqual(first.returncode, -signal.SIGKILL)
        # Fetched, never stored: no mail and no cursor moved past it.
        self.assertEqual(Message.objects.filter(channel=channel).count(), 0)
        self.assertEqual(SyncState.objects.get(pk=channel.pk).cursor, "")
        SyncState.objects.filter(pk=channel.pk).update(lease_until=None)

        second = self.start_worker(log, BREAKWATER_SYNC_FAULT_PAUSE="0")
        self.wait_for("the three mails stored",
                      lambda: Message.objects.filter(channel=channel).count() >= 3, second, log)
        later = self.mail.send(customer, support, "Kysymys 4", "Viesti 4")
        self.wait_for("the mail sent after the restart",
                      lambda: Message.objects.filter(channel=channel, external_id=later).exists(), second, log)
        self.kill(second)

        stored = list(Message.objects.filter(channel=channel).values_list("external_id", flat=True))
        self.assertEqual(sorted(stored), sorted([*sent, later]))
        twice = (Message.objects.filter(channel=channel).values("external_id")
                 .annotate(n=Count("id")).filter(n__gt=1))
        self.assertEqual(list(twice), [])
