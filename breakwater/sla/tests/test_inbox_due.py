"""The inbox's "breaching soon" and "overdue" filters and its sort by due time, with keyset
pages that neither skip nor repeat a conversation."""

from datetime import timedelta

from django.utils import timezone

from breakwater.core.errors import Invalid
from breakwater.inbox import actions as inbox
from breakwater.inbox import queries
from breakwater.inbox.models import Conversation, Priority
from breakwater.inbox.queries import Filters
from breakwater.sla import actions
from breakwater.sla.actions import HoursChange, TargetChange
from breakwater.test import BaseTestCase


class InboxDueTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for minutes, priority in ((120, None), (10, Priority.URGENT), (45, Priority.HIGH)):
            actions.do_create_target(
                self.alice, TargetChange(minutes=minutes, priority=priority, business_hours=False)
            )
        self.urgent = [self.conversation() for _ in range(3)]
        self.high = [self.conversation() for _ in range(2)]
        self.plain = [self.conversation() for _ in range(2)]
        for conv in self.urgent:
            inbox.do_set_priority(self.bob, conv.pk, "urgent")
        for conv in self.high:
            inbox.do_set_priority(self.bob, conv.pk, "high")
        self.late = self.conversation()
        self.make_late()
        self.answered = self.conversation()
        inbox.do_reply(self.bob, self.answered.pk, "Answered already")

    def make_late(self) -> None:
        # Its response was due an hour ago (the clock cannot be moved back, so set it here).
        Conversation.objects.filter(pk=self.late.pk).update(
            response_due_at=timezone.now() - timedelta(hours=1)
        )

    def ids(self, filters: Filters) -> list[int]:
        return [c.pk for c in queries.list_conversations(self.bob, filters, limit=100)[0]]

    def test_overdue_and_breaching_soon(self) -> None:
        self.assertEqual(self.ids(Filters(due="overdue")), [self.late.pk])
        soon = {self.late.pk, *(c.pk for c in self.urgent)}
        self.assertEqual(set(self.ids(Filters(due="soon"))), soon)
        self.assertEqual(queries.status_counts(self.bob, Filters(due="soon"))["open"], len(soon))

    def test_breaching_soon_follows_the_workspace_setting(self) -> None:
        actions.do_set_business_hours(
            self.alice, HoursChange(week=[[]] * 7, breaching_soon_minutes=60)
        )
        self.make_late()  # the change recomputed every due time
        expected = {self.late.pk, *(c.pk for c in self.urgent + self.high)}
        self.assertEqual(set(self.ids(Filters(due="soon"))), expected)

    def test_it_sorts_by_due_time_then_newest_activity(self) -> None:
        ids = self.ids(Filters(sort="due"))
        due_part = [
            self.late.pk,
            *(c.pk for c in self.urgent),
            *(c.pk for c in self.high),
            *(c.pk for c in self.plain),
        ]
        self.assertEqual(ids[: len(due_part)], due_part)
        self.assertEqual(ids[len(due_part) :], [self.answered.pk])

    def test_every_page_size_walks_the_same_order(self) -> None:
        expected = self.ids(Filters(sort="due"))
        for limit in range(1, len(expected) + 2):
            seen, cursor = [], None
            while True:
                rows, cursor = queries.list_conversations(
                    self.bob, Filters(sort="due"), cursor, limit
                )
                seen += [c.pk for c in rows]
                if cursor is None:
                    break
            self.assertEqual(seen, expected, f"limit {limit}")

    def test_it_stays_in_the_workspace_and_rejects_nonsense(self) -> None:
        other = self.conversation(workspace=self.other)
        self.assertNotIn(other.pk, self.ids(Filters(sort="due")))
        with self.assertRaisesRegex(Invalid, "soon, overdue"):
            self.ids(Filters(due="tomorrow"))
        with self.assertRaisesRegex(Invalid, "unknown sort"):
            self.ids(Filters(sort="oldest"))
        with self.assertRaisesRegex(Invalid, "cursor"):
            queries.list_conversations(self.bob, Filters(sort="due"), cursor="bm9wZQ")
