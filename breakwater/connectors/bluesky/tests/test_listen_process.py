"""A real ``breakwater listen --source ID`` process on a firehose source: it stores a matching
post that comes while it runs, and, killed and started again, resumes from its saved cursor
(the post made while it was down arrives; nothing is stored twice)."""

from __future__ import annotations

import re
import signal
import tempfile
from pathlib import Path

import pytest
from django.test import TransactionTestCase

from breakwater.connectors.bluesky.tests.stack import Stack
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Role
from breakwater.listening import actions
from breakwater.listening.actions import SourceFields, TopicFields
from breakwater.listening.models import Mention, Source
from breakwater.test import WorkerProcesses


@pytest.mark.xdist_group("bluesky")
@pytest.mark.usefixtures("stack_on_class")
@pytest.mark.django_db(transaction=True)
class ListenProcessTestCase(WorkerProcesses, TransactionTestCase):
    stack: Stack

    def test_a_listen_process_stores_live_posts_and_resumes_after_a_kill(self) -> None:
        brand, customer = self.stack.account("kahvila"), self.stack.account("maija")
        owner = do_create_user("owner@example.org", "long enough pw", "listen", Role.OWNER)
        channel = do_create_channel(owner, "bluesky", "Kahvila", {
            "service": self.stack.pds, "handle": brand.handle,
            "app_password": self.stack.app_password(brand)})
        actions.do_create_topic(owner, TopicFields("Kauramaito", "kauramaito"))
        source = actions.do_create_source(owner, SourceFields("stream", "Firehose",
                                                              channel_id=channel.pk))
        Source.objects.filter(pk=source.pk).update(cursor="0")  # replay the stack's stream
        self.WORKER = f"from breakwater.cli import main; main(['listen', '--source', '{source.pk}'])"

        def mine() -> list[str]:
            return list(Mention.objects.filter(external_id__startswith=f"at://{customer.did}/")
                        .order_by("pk").values_list("external_id", flat=True))

        before = self.stack.post(customer, "Kaurajuoma vai kauramaito?")["uri"]
        log = Path(tempfile.mkdtemp()) / "listen.log"
        first = self.start_worker(log)
        self.wait_for("the post made before it started", lambda: mine() == [before], first, log)
        live = self.stack.post(customer, "Kauramaidolla kiitos")["uri"]
        self.wait_for("the live post", lambda: mine() == [before, live], first, log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        cursor = int(Source.objects.get(pk=source.pk).cursor)
        self.assertGreater(cursor, 0)

        down = self.stack.post(customer, "Loppuiko kauramaito?")["uri"]
        again = Path(tempfile.mkdtemp()) / "listen-again.log"
        second = self.start_worker(again)
        self.wait_for("the post made while it was down", lambda: len(mine()) == 3, second, again)
        self.kill(second)
        self.assertEqual(mine(), [before, live, down])
        text = again.read_text(errors="replace")
        self.assertFalse(re.search(r"duplicates [1-9]", text), text)  # resumed, not re-read
        self.assertEqual(Source.objects.get(pk=source.pk).last_error, "")
