"""Due times on conversations: set on ingest, cleared by replies and done, recomputed on
priority changes and reopen; the most specific target wins."""

from datetime import timedelta

from breakwater.core.errors import Forbidden, Invalid
from breakwater.inbox import actions as inbox
from breakwater.inbox.models import Conversation, Message, Priority
from breakwater.sla import actions, due
from breakwater.sla.actions import HoursChange, TargetChange
from breakwater.test import BaseTestCase


class DueTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Wall-clock, so the expected due time is received_at + minutes whatever the clock says.
        actions.do_create_target(self.alice, TargetChange(minutes=60, business_hours=False))

    def received(self, conv: Conversation) -> object:
        return Message.objects.filter(conversation=conv).order_by("received_at").first().received_at

    def test_it_sets_the_due_time_on_ingest(self) -> None:
        conv = self.conversation()
        conv.refresh_from_db()
        self.assertEqual(conv.response_due_at, self.received(conv) + timedelta(minutes=60))

    def test_it_keeps_the_first_unanswered_message_as_the_start(self) -> None:
        conv = self.conversation(thread_key="t1")
        conv.refresh_from_db()
        first_due = conv.response_due_at
        self.ingest(self.acme, [self.item(thread_key="t1")])
        conv.refresh_from_db()
        self.assertEqual(conv.response_due_at, first_due)

    def test_an_outbound_item_from_the_network_clears_it(self) -> None:
        conv = self.conversation(thread_key="t2")
        self.ingest(self.acme, [self.item(thread_key="t2", direction="out", kind="reply")])
        conv.refresh_from_db()
        self.assertIsNone(conv.response_due_at)

    def test_a_queued_reply_clears_it_and_done_and_reopen_follow(self) -> None:
        conv = self.conversation()
        inbox.do_set_status(self.bob, conv.pk, "done")
        conv.refresh_from_db()
        self.assertIsNone(conv.response_due_at)
        inbox.do_set_status(self.bob, conv.pk, "open")
        conv.refresh_from_db()
        self.assertEqual(conv.response_due_at, self.received(conv) + timedelta(minutes=60))
        inbox.do_reply(self.bob, conv.pk, "Thanks, we are on it")
        conv.refresh_from_db()
        self.assertIsNone(conv.response_due_at)

    def test_the_most_specific_target_wins_and_priority_changes_recompute(self) -> None:
        actions.do_create_target(
            self.alice, TargetChange(minutes=15, priority=Priority.URGENT, business_hours=False)
        )
        actions.do_create_target(
            self.alice, TargetChange(minutes=30, channel_id=self.channel.pk, business_hours=False)
        )
        conv = self.conversation()
        conv.refresh_from_db()
        self.assertEqual(conv.response_due_at, self.received(conv) + timedelta(minutes=30))
        inbox.do_set_priority(self.bob, conv.pk, "urgent")
        conv.refresh_from_db()
        self.assertEqual(conv.response_due_at, self.received(conv) + timedelta(minutes=15))

    def test_business_hours_targets_count_open_time_only(self) -> None:
        target = due.targets_for(self.acme.pk)[0]
        actions.do_update_target(self.alice, target.id, TargetChange(minutes=60))
        conv = self.conversation()
        conv.refresh_from_db()
        expected = due.calendar_for(self.acme.pk).add(self.received(conv), 60)
        self.assertEqual(conv.response_due_at, expected)

    def test_changing_hours_recomputes_and_deleting_targets_clears(self) -> None:
        conv = self.conversation()
        target = due.targets_for(self.acme.pk)[0]
        actions.do_update_target(self.alice, target.id, TargetChange(minutes=60))
        every_day = [[["00:00", "24:00"]]] * 7
        actions.do_set_business_hours(
            self.alice, HoursChange(week=every_day, finnish_holidays=False)
        )
        conv.refresh_from_db()
        self.assertEqual(conv.response_due_at, self.received(conv) + timedelta(minutes=60))
        actions.do_delete_target(self.alice, target.id)
        conv.refresh_from_db()
        self.assertIsNone(conv.response_due_at)

    def test_no_target_no_due_time_and_other_workspaces_untouched(self) -> None:
        conv = self.conversation(workspace=self.other)
        conv.refresh_from_db()
        self.assertIsNone(conv.response_due_at)

    def test_only_managers_edit_and_bad_input_says_what_to_do(self) -> None:
        with self.assertRaises(Forbidden):
            actions.do_create_target(self.bob, TargetChange(minutes=5))
        with self.assertRaisesRegex(Invalid, "exists already"):
            actions.do_create_target(self.alice, TargetChange(minutes=5, business_hours=False))
        with self.assertRaisesRegex(Invalid, "not one of this workspace"):
            actions.do_create_target(
                self.alice, TargetChange(minutes=5, channel_id=self.other_channel.pk)
            )
        with self.assertRaisesRegex(Invalid, "tuesday"):
            actions.do_set_business_hours(
                self.alice, HoursChange(week=[[], [["17:00", "08:00"]], [], [], [], [], []])
            )

    def test_is_open_reads_the_workspace_calendar(self) -> None:
        every_day = [[["00:00", "24:00"]]] * 7
        actions.do_set_business_hours(
            self.alice, HoursChange(week=every_day, finnish_holidays=False)
        )
        self.assertTrue(due.is_open(self.acme.pk, self.received(self.conversation())))
        actions.do_set_business_hours(self.alice, HoursChange(week=[[]] * 7))
        self.assertFalse(due.is_open(self.acme.pk, self.received(self.conversation())))
