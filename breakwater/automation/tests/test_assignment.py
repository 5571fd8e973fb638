"""Assignment policies: round robin and least loaded, skipping away and offline members."""

from __future__ import annotations

import threading
from collections import Counter

from django.db import connection
from django.test import TransactionTestCase

from breakwater.automation import actions, queries
from breakwater.automation.assignment import least_loaded, next_in_turn
from breakwater.automation.models import AssignmentPolicy
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.errors import Forbidden, Invalid
from breakwater.core.models import AuditLog, Membership, Role
from breakwater.inbox.actions import do_assign, do_set_status
from breakwater.inbox.models import Conversation
from breakwater.ingest.pipeline import ingest_items
from breakwater.test import PASSWORD, BaseTestCase


class TurnTestCase(BaseTestCase):
    def test_next_in_turn_wraps_round(self) -> None:
        self.assertEqual(next_in_turn([2, 5, 9], None), 2)
        self.assertEqual(next_in_turn([2, 5, 9], 5), 9)
        self.assertEqual(next_in_turn([2, 5, 9], 9), 2)
        self.assertEqual(next_in_turn([2, 5, 9], 6), 9)  # the last one left the pool

    def test_least_loaded_breaks_ties_by_id(self) -> None:
        self.assertEqual(least_loaded([2, 5, 9], {2: 3, 5: 1, 9: 1}), 5)


class PolicyTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.dana = do_create_user("dana@example.org", PASSWORD, "acme", Role.AGENT, name="Dana")

    def assignees(self, n: int) -> list[int | None]:
        return [self.conversation().assignee_id for _ in range(n)]

    def test_round_robin_takes_turns_and_skips_away_members(self) -> None:
        pool = [self.bob.user_id, self.dana.user_id]
        actions.do_save_policy(self.alice, "round_robin", pool, channel_id=self.channel.pk)
        self.assertEqual(self.assignees(3), [self.bob.user_id, self.dana.user_id, self.bob.user_id])
        actions.do_set_availability(self.dana, "away")
        self.assertEqual(self.assignees(2), [self.bob.user_id, self.bob.user_id])
        actions.do_set_availability(self.bob, "offline")
        self.assertEqual(self.assignees(1), [None])
        policy = AssignmentPolicy.objects.get()
        entry = AuditLog.objects.filter(action="conversation.updated").first()
        self.assertEqual((entry.actor_id, entry.data["policy"]), (None, policy.pk))

    def test_least_loaded_counts_open_and_pending(self) -> None:
        busy = [self.conversation(), self.conversation(), self.conversation()]
        for conv in busy[:2]:
            do_assign(self.alice, conv.pk, self.bob.user_id)
        do_assign(self.alice, busy[2].pk, self.dana.user_id)
        actions.do_save_policy(self.alice, "least_loaded", [self.bob.user_id, self.dana.user_id],
                               channel_id=self.channel.pk)
        # bob 2, dana 1 -> dana; then 2 and 2 -> bob (lower id); then dana.
        self.assertEqual(self.assignees(3), [self.dana.user_id, self.bob.user_id, self.dana.user_id])
        for conv in busy[:2]:
            do_set_status(self.alice, conv.pk, "done")  # done no longer counts
        self.assertEqual(self.assignees(1), [self.bob.user_id])
        actions.do_set_availability(self.bob, "away")
        self.assertEqual(self.assignees(1), [self.dana.user_id])

    def test_a_tag_policy_wins_over_the_channel_policy(self) -> None:
        actions.do_save_policy(self.alice, "round_robin", [self.bob.user_id],
                               channel_id=self.channel.pk)
        actions.do_save_policy(self.alice, "round_robin", [self.dana.user_id], tag="vip")
        actions.do_create_rule(self.alice, "vip", {"text": "vip"}, [{"type": "tag", "tags": ["vip"]}])
        self.assertEqual(self.conversation(text="I am a VIP").assignee_id, self.dana.user_id)
        self.assertEqual(self.conversation(text="I am not").assignee_id, self.bob.user_id)

    def test_manual_assigns_nobody_and_old_conversations_stay(self) -> None:
        actions.do_save_policy(self.alice, "manual", [], channel_id=self.channel.pk)
        self.assertEqual(self.assignees(1), [None])
        conv = self.conversation(thread_key="t-1")
        actions.do_save_policy(self.alice, "round_robin", [], channel_id=self.channel.pk)
        self.ingest(self.acme, [self.item(thread_key="t-1")])
        conv.refresh_from_db()
        self.assertIsNone(conv.assignee_id)  # only new conversations are auto-assigned

    def test_the_rules_assign_auto_action_uses_the_same_choice(self) -> None:
        actions.do_create_rule(self.alice, "rr", {}, [
            {"type": "assign", "mode": "round_robin", "pool": [self.bob.user_id, self.dana.user_id]}
        ])
        self.assertEqual(self.assignees(3), [self.bob.user_id, self.dana.user_id, self.bob.user_id])

    def test_it_checks_roles_and_input(self) -> None:
        with self.assertRaises(Forbidden):
            actions.do_save_policy(self.bob, "round_robin", [], channel_id=self.channel.pk)
        with self.assertRaises(Invalid):
            actions.do_save_policy(self.alice, "round_robin", [self.charlie.user_id],
                                   channel_id=self.channel.pk)
        with self.assertRaises(Invalid):
            actions.do_save_policy(self.alice, "round_robin", [], channel_id=self.other_channel.pk)
        with self.assertRaises(Invalid):
            actions.do_set_availability(self.bob, "sleeping")


class WorkloadTestCase(BaseTestCase):
    def test_it_counts_each_members_work(self) -> None:
        convs = [self.conversation() for _ in range(3)]
        for conv in convs:
            do_assign(self.alice, conv.pk, self.bob.user_id)
        do_set_status(self.alice, convs[0].pk, "pending")
        actions.do_set_availability(self.bob, "away")
        rows = {r.email: r for r in queries.workload(self.bob)}
        bob = rows["bob@example.org"]
        self.assertEqual((bob.availability, bob.open, bob.pending, bob.assigned_today),
                         ("away", 2, 1, 3))
        self.assertEqual(bob.oldest_waiting_at, convs[1].last_inbound_at)
        self.assertEqual(rows["alice@example.org"].open, 0)
        self.assertNotIn("charlie@example.org", rows)


class ConcurrentRoundRobinTestCase(TransactionTestCase):
    """Two ingest writers at once (PostgreSQL runs them in parallel; SQLite one after the
    other): the policy row's lock keeps the turns strict, so nobody gets two in a row."""

    def test_parallel_batches_keep_strict_turns(self) -> None:
        owner = do_create_user("owner@example.org", PASSWORD, "rr", Role.OWNER)
        agents = [do_create_user(f"a{i}@example.org", PASSWORD, "rr", Role.AGENT) for i in (1, 2)]
        Membership.objects.filter(pk=owner.pk).update(availability="offline")
        channel = do_create_channel(owner, "demo", "RR", {"handle": "rr"})
        actions.do_save_policy(owner, "round_robin", [a.user_id for a in agents],
                               channel_id=channel.pk)
        errors: list[BaseException] = []

        def writer(prefix: str) -> None:
            try:
                for batch in range(3):
                    ingest_items(owner.workspace_id, [
                        {"network": "demo", "channel": channel.pk, "kind": "comment",
                         "external_id": f"{prefix}-{batch}-{i}", "text": "hei",
                         "created_at": "2025-03-01T09:00:00+00:00",
                         "author": {"external_id": f"{prefix}-{batch}-{i}"}}
                        for i in range(5)
                    ])
            except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=writer, args=(p,)) for p in ("x", "y")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        counts = Counter(Conversation.objects.filter(workspace_id=owner.workspace_id)
                         .values_list("assignee_id", flat=True))
        self.assertEqual(counts, {agents[0].user_id: 15, agents[1].user_id: 15})


class RuleAutoAssignTestCase(BaseTestCase):
    def test_an_assigned_conversation_keeps_its_assignee(self) -> None:
        actions.do_create_rule(self.alice, "rr", {}, [
            {"type": "assign", "mode": "round_robin", "pool": [self.alice.user_id, self.bob.user_id]}
        ])
        conv = self.conversation(thread_key="t-9")
        first = conv.assignee_id
        self.ingest(self.acme, [self.item(thread_key="t-9"), self.item(thread_key="t-9")])
        conv.refresh_from_db()
        self.assertEqual(conv.assignee_id, first)
