"""``breakwater listen --source ID --partition i/n``: real consumer processes against the test
database, reading a local feed server, write through the same path as the worker."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase

from breakwater.connectors.rss.tests.feedserver import feed_server
from breakwater.core.actions import do_create_user
from breakwater.core.models import Role
from breakwater.listening import actions
from breakwater.listening.actions import SourceFields, TopicFields
from breakwater.listening.models import Mention, TopicMention
from breakwater.test import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "breakwater" / "connectors" / "rss" / "fixtures"


def listen(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "breakwater.settings_test",
        "BREAKWATER_DATA_DIR": str(settings.DATA_DIR),
        "BREAKWATER_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
    }
    code = f"from breakwater.cli import main; main(['listen', {', '.join(map(repr, args))}])"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                          text=True, timeout=180, check=False)


class ConsumerTestCase(TransactionTestCase):
    def test_partitioned_consumers_store_each_item_once(self):
        alice = do_create_user("alice@example.org", PASSWORD, "acme", Role.OWNER)
        topic = actions.do_create_topic(alice, TopicFields("Aalto", "aalto* OR kahvi*"))
        with feed_server() as feeds:
            url = feeds.put("/uutiset.atom", (FIXTURES / "uutiset.atom").read_bytes())
            source = actions.do_create_source(
                alice, SourceFields("feed", "Kahviuutiset", url, dedicated=True))
            outputs = [listen("--source", str(source.pk), "--partition", f"{i}/2", "--once")
                       for i in range(2)]
        for run in outputs:
            self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        seen = [int(run.stdout.split("seen ")[1].split(",")[0]) for run in outputs]
        self.assertEqual(sum(seen), 2)  # each item in exactly one partition
        self.assertEqual(Mention.objects.filter(source=source).count(), 2)
        self.assertEqual(TopicMention.objects.filter(topic=topic).count(), 2)
        bad = listen("--source", str(source.pk), "--partition", "2/2")
        self.assertEqual(bad.returncode, 2)
