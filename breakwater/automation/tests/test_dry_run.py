"""A rule's dry run counts what it would have matched in history, exactly."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from breakwater.automation import queries
from breakwater.core.errors import Forbidden, Invalid
from breakwater.test import BaseTestCase


class DryRunTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        now = timezone.now()
        cls_self = cls()
        texts = [
            # (days ago, text, kind)
            (1, "Kiitos palautteesta, olette ihania", "comment"),
            (2, "Palautetta: sovellus kaatuu", "dm"),
            (5, "Antaisin palautteen, jos jaksaisin", "comment"),
            (10, "Hyvää palvelua kiitos", "comment"),
            (20, "Feedback: great app", "review"),
            (40, "Vanha palaute, liian kaukana", "comment"),  # outside 30 days
        ]
        items = [
            cls_self.item(text=text, kind=kind,
                          created_at=(now - timedelta(days=ago, hours=1)).isoformat())
            for ago, text, kind in texts
        ]
        items.append(cls_self.item(text="Oma palaute-postaus", direction="out", kind="post",
                                   created_at=(now - timedelta(days=1)).isoformat()))
        cls_self.ingest(cls.acme, items)
        # Another workspace's matching message never counts.
        cls_self.ingest(cls.other, [cls_self.item(channel=cls.other_channel.pk,
                                                  text="Palautetta muualta",
                                                  created_at=now.isoformat())])

    def test_it_counts_finnish_inflections_in_the_window(self) -> None:
        result = queries.dry_run(self.alice, {"text": "palaute"}, days=30)
        self.assertEqual(result.matched, 3)
        self.assertEqual(
            sorted(e["text"] for e in result.examples),
            sorted(["Kiitos palautteesta, olette ihania", "Palautetta: sovellus kaatuu",
                    "Antaisin palautteen, jos jaksaisin"]),
        )
        example = result.examples[0]
        self.assertEqual(set(example), {"message_id", "conversation_id", "text", "created_at",
                                        "network"})
        self.assertEqual(queries.dry_run(self.alice, {"text": "palaute"}, days=60).matched, 4)

    def test_it_combines_database_and_python_conditions(self) -> None:
        self.assertEqual(queries.dry_run(self.alice, {"text": "palaute", "kinds": ["dm"]}).matched, 1)
        self.assertEqual(queries.dry_run(self.alice, {"kinds": ["comment"]}).matched, 3)
        everything = queries.dry_run(self.alice, {}).matched
        self.assertEqual(everything, 5)
        # Each message falls on exactly one weekday in the workspace's time zone.
        by_day = [queries.dry_run(self.alice, {"time": {"weekdays": [d]}}).matched
                  for d in range(7)]
        self.assertEqual(sum(by_day), everything)
        self.assertEqual(queries.dry_run(self.alice, {"time": {"start": "00:00"}}).matched,
                         everything)
        self.assertEqual(
            queries.dry_run(self.alice, {"contact": {"first_time": True}}).matched, 5
        )

    def test_it_reads_history_in_chunks(self) -> None:
        old = queries.DRY_RUN_CHUNK
        queries.DRY_RUN_CHUNK = 2
        try:
            result = queries.dry_run(self.alice, {})
        finally:
            queries.DRY_RUN_CHUNK = old
        self.assertEqual((result.matched, len(result.examples)), (5, 5))

    def test_it_checks_role_days_and_conditions(self) -> None:
        with self.assertRaises(Forbidden):
            queries.dry_run(self.bob, {"text": "palaute"})
        with self.assertRaises(Invalid):
            queries.dry_run(self.alice, {}, days=0)
        with self.assertRaises(Invalid) as caught:
            queries.dry_run(self.alice, {"time": {"start": "8"}})
        self.assertEqual(caught.exception.message, "conditions.time.start: write the time as HH:MM, e.g. 08:30")
