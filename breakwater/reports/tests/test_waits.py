"""The kept table of response waits follows the messages: out-of-order imports, Breakwater's
own replies, delivery states, spam, deletions; and it equals the window query over all
messages (the definition in ``metrics.scope``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from breakwater.inbox import actions as inbox
from breakwater.inbox.models import Conversation, Message
from breakwater.reports import waits
from breakwater.reports.models import ResponseWait, StaleWaits
from breakwater.test import BaseTestCase


def at(text: str) -> str:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).isoformat()


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class WaitsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.n = 0

    def msg(self, thread: str, t: str, direction: str = "in", **extra: Any) -> dict[str, Any]:
        self.n += 1
        return self.item(thread_key=thread, external_id=f"{thread}-{self.n}", created_at=at(t),
                         direction=direction, **extra)  # fmt: skip

    def conv(self, thread: str) -> Conversation:
        return Conversation.objects.get(workspace=self.acme, thread_key=thread)

    def kept(self, thread: str) -> list[tuple[datetime, datetime | None, int | None]]:
        waits.refresh(self.acme.pk)
        return [(w.asked_at, w.answered_at, w.answered_by_id) for w in
                ResponseWait.objects.filter(conversation=self.conv(thread)).order_by("asked_at")]

    def test_ingest_keeps_the_waits_in_the_same_transaction(self) -> None:
        self.ingest(self.acme, [self.msg("A", "2025-03-04 10:00"), self.msg("A", "2025-03-04 10:05"),
                                self.msg("A", "2025-03-04 10:30", "out"),
                                self.msg("A", "2025-03-04 11:00")])  # fmt: skip
        # The handler has already run: nothing is left stale.
        self.assertFalse(StaleWaits.objects.exists())
        rows = ResponseWait.objects.filter(conversation=self.conv("A")).order_by("asked_at")
        self.assertEqual([(w.asked_at, w.answered_at) for w in rows],
                         [(when("2025-03-04 10:00"), when("2025-03-04 10:30")),
                          (when("2025-03-04 11:00"), None)])  # fmt: skip
        self.assertEqual(rows[0].network, "demo")
        self.assertEqual(rows[0].channel_id, self.conv("A").channel_id)
        # The same instants as epoch seconds, for the metrics' arithmetic.
        ten, half_past, eleven = (when(f"2025-03-04 {t}").timestamp()
                                  for t in ("10:00", "10:30", "11:00"))  # fmt: skip
        self.assertEqual([(w.asked_epoch, w.answered_epoch) for w in rows],
                         [(ten, half_past), (eleven, None)])

    def test_history_imported_out_of_order_is_recomputed_not_appended(self) -> None:
        self.ingest(self.acme, [self.msg("H", "2025-03-04 12:00"),
                                self.msg("H", "2025-03-04 12:30", "out")])  # fmt: skip
        # Older history arrives later: an earlier question and its answer.
        self.ingest(self.acme, [self.msg("H", "2025-03-04 09:00"),
                                self.msg("H", "2025-03-04 09:10", "out")])  # fmt: skip
        self.assertEqual(self.kept("H"), [
            (when("2025-03-04 09:00"), when("2025-03-04 09:10"), None),
            (when("2025-03-04 12:00"), when("2025-03-04 12:30"), None),
        ])
        # A reply imported in the middle of a wait splits nothing but ends it earlier.
        self.ingest(self.acme, [self.msg("H", "2025-03-04 12:05", "out")])
        self.assertEqual(self.kept("H")[1], (when("2025-03-04 12:00"), when("2025-03-04 12:05"), None))

    def test_own_reply_and_its_delivery_state(self) -> None:
        self.ingest(self.acme, [self.msg("R", "2025-03-04 10:00")])
        message, _ = inbox.do_reply(self.bob, self.conv("R").pk, "Hello!")
        [(asked, answered, by)] = self.kept("R")
        self.assertEqual((asked, answered, by), (when("2025-03-04 10:00"), message.created_at,
                                                 self.bob.user_id))  # fmt: skip
        Message.objects.filter(pk=message.pk).update(delivery_state="failed")
        self.assertEqual(self.kept("R"), [(when("2025-03-04 10:00"), None, None)])

    def test_spam_and_deleted_messages_leave_the_waits(self) -> None:
        self.ingest(self.acme, [self.msg("S", "2025-03-04 10:00"),
                                self.msg("S", "2025-03-04 10:20")])  # fmt: skip
        first = Message.objects.filter(conversation=self.conv("S")).order_by("created_at")[0]
        inbox.do_mark_spam(self.alice, [first.pk])
        self.assertEqual(self.kept("S"), [(when("2025-03-04 10:20"), None, None)])
        Message.objects.filter(conversation=self.conv("S")).delete()
        self.assertEqual(self.kept("S"), [])

    def test_the_table_equals_a_rebuild_from_all_messages(self) -> None:
        self.ingest(self.acme, [self.msg(f"T{i % 4}", f"2025-03-04 1{i % 10}:0{i % 7}",
                                         "out" if i % 3 == 0 else "in") for i in range(40)])
        before = sorted(ResponseWait.objects.values_list(
            "conversation_id", "asked_at", "answered_at", "answered_by_id"))
        ResponseWait.objects.all().delete()
        waits.rebuild_all()
        after = sorted(ResponseWait.objects.values_list(
            "conversation_id", "asked_at", "answered_at", "answered_by_id"))
        self.assertEqual(before, after)
        self.assertTrue(after)

    def test_the_triggers_survive_all_migrations(self) -> None:
        # On SQLite a later migration that alters inbox_message rebuilds the table and drops
        # its triggers: it must re-create them (see docs/metrics.md).
        from django.db import connection

        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", ["reports_waits_%"])
            else:
                cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                            ["reports_waits_%"])
            names = sorted(r[0] for r in cur.fetchall())
        self.assertEqual(names, ["reports_waits_del", "reports_waits_ins", "reports_waits_upd"])
