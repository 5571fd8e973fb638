"""A real ``breakwater worker`` process reads a feed source from the loopback feed server and
stores its items as mentions, with the cursor, through its listening loop."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.test import TransactionTestCase

from breakwater.connectors.rss.tests.feedserver import feed_server
from breakwater.core.actions import do_create_user
from breakwater.core.models import Role
from breakwater.listening import actions
from breakwater.listening.actions import SourceFields, TopicFields
from breakwater.listening.models import Mention, Source, TopicMention
from breakwater.test import PASSWORD, WorkerProcesses

FIXTURES = Path(__file__).resolve().parents[2] / "connectors" / "rss" / "fixtures"


class WorkerTestCase(WorkerProcesses, TransactionTestCase):
    def test_the_worker_polls_a_feed_source(self):
        member = do_create_user("alice@example.org", PASSWORD, "acme", Role.OWNER)
        topic = actions.do_create_topic(member, TopicFields("Aalto", "aalto*"))
        log = Path(tempfile.mkdtemp()) / "worker.log"
        with feed_server() as feeds:
            url = feeds.put("/uutiset.atom", (FIXTURES / "uutiset.atom").read_bytes())
            source = actions.do_create_source(member, SourceFields("feed", "Kahviuutiset", url))
            worker = self.start_worker(log)
            self.wait_for("the feed's items", lambda: Mention.objects.count() == 2, worker, log)
            self.wait_for("the cursor", lambda: Source.objects.get(pk=source.pk).cursor != "",
                          worker, log)
            self.kill(worker)
        self.assertEqual(TopicMention.objects.filter(topic=topic).count(), 1)
        self.assertEqual(Source.objects.get(pk=source.pk).last_error, "")
