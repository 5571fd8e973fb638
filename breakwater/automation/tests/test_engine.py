"""Rules apply on ingest, in order, through the inbox actions, as the rule's system actor."""

from __future__ import annotations

from datetime import UTC, datetime

from breakwater.automation import actions
from breakwater.automation.models import PendingRuleRun
from breakwater.composer.models import SavedReply
from breakwater.core.models import AuditLog
from breakwater.inbox.models import Conversation, Direction, Message, Priority
from breakwater.ingest.enrich import fill_sentiment
from breakwater.test import BaseTestCase


class EngineTestCase(BaseTestCase):
    def rule(self, name: str, conditions: dict, rule_actions: list, **kw: object):
        return actions.do_create_rule(self.alice, name, conditions, rule_actions, **kw)

    def test_it_applies_rules_in_order_and_the_later_one_wins(self) -> None:
        self.rule("high", {"text": "palaute"}, [{"type": "priority", "priority": "high"},
                                                {"type": "tag", "tags": ["feedback"]}])
        self.rule("urgent", {"networks": ["demo"]}, [{"type": "priority", "priority": "urgent"}])
        conv = self.conversation(text="Kiitos palautteesta, hyvää työtä!")
        self.assertEqual(conv.priority, Priority.URGENT)
        self.assertEqual(list(conv.tags.values_list("name", flat=True)), ["feedback"])
        other = self.conversation(text="Hello there")
        self.assertEqual((other.priority, other.tags.count()), (Priority.URGENT, 0))

    def test_it_stops_after_a_rule_with_the_stop_flag(self) -> None:
        self.rule("high", {"text": "palaute"}, [{"type": "priority", "priority": "high"}],
                  stop=True)
        self.rule("urgent", {}, [{"type": "priority", "priority": "urgent"}])
        self.assertEqual(self.conversation(text="Palautetta teille").priority, Priority.HIGH)
        self.assertEqual(self.conversation(text="Something else").priority, Priority.URGENT)

    def test_it_follows_a_new_order_and_skips_disabled_rules(self) -> None:
        first = self.rule("high", {}, [{"type": "priority", "priority": "high"}])
        second = self.rule("low", {}, [{"type": "priority", "priority": "low"}])
        actions.do_reorder_rules(self.alice, [second.pk, first.pk])
        self.assertEqual(self.conversation().priority, Priority.HIGH)
        actions.do_set_rule_enabled(self.alice, first.pk, False)
        self.assertEqual(self.conversation().priority, Priority.LOW)

    def test_it_audits_each_change_as_done_by_the_rule(self) -> None:
        rule = self.rule("pending", {}, [{"type": "status", "status": "pending"}])
        conv = self.conversation()
        self.assertEqual(conv.status, "pending")
        entry = AuditLog.objects.get(action="conversation.updated", target_id=conv.pk)
        self.assertEqual((entry.actor_id, entry.data), (None, {"rule": rule.pk, "status": "pending"}))

    def test_it_never_touches_another_workspace(self) -> None:
        self.rule("urgent", {}, [{"type": "priority", "priority": "urgent"}])
        theirs = self.conversation(self.other)
        self.assertEqual(theirs.priority, Priority.NONE)

    def test_it_runs_each_message_of_a_batch_once(self) -> None:
        self.rule("tag", {"text": "kahvi"}, [{"type": "tag", "tags": ["coffee"]}])
        result = self.ingest(self.acme, [self.item(text="Kahvi on loppu"),
                                         self.item(text="Tee on hyvää"),
                                         self.item(text="Missä kahvia?")])
        tagged = Conversation.objects.filter(pk__in=result.conversation_ids, tags__name="coffee")
        self.assertEqual(tagged.count(), 2)

    def test_it_ignores_outbound_messages(self) -> None:
        self.rule("urgent", {}, [{"type": "priority", "priority": "urgent"}])
        conv = self.conversation(direction="out", kind="post", text="Our own post")
        self.assertEqual(conv.priority, Priority.NONE)

    def test_it_hides_spam_without_calling_the_network(self) -> None:
        rule = self.rule("spam", {"text": "crypto"}, [{"type": "spam"}])
        conv = self.conversation(text="Buy crypto now")
        message = Message.objects.get(conversation=conv)
        conv.refresh_from_db()
        self.assertEqual((message.is_spam, message.spam_reasons, conv.is_spam), (True, ["rule"], True))
        self.assertEqual(AuditLog.objects.get(action="message.spam").data["rule"], rule.pk)

    def test_it_auto_replies_with_a_saved_reply_once(self) -> None:
        saved = SavedReply.objects.create(workspace=self.acme, name="Thanks",
                                          text="Kiitos viestistä! Palaamme pian.")
        self.rule("reply", {"kinds": ["comment"]}, [{"type": "reply", "saved_reply": saved.pk}])
        conv = self.conversation()
        replies = Message.objects.filter(conversation=conv, direction=Direction.OUT)
        self.assertEqual([m.text for m in replies], ["Kiitos viestistä! Palaamme pian."])
        self.assertIsNone(replies[0].sent_by_id)

    def test_a_failing_action_is_audited_and_the_message_kept(self) -> None:
        saved = SavedReply.objects.create(workspace=self.acme, name="Gone", text="Hei!")
        rule = self.rule("reply", {}, [{"type": "tag", "tags": ["auto"]},
                                       {"type": "reply", "saved_reply": saved.pk}])
        saved.delete()
        conv = self.conversation()
        self.assertEqual(conv.tags.count(), 0)  # the rule's changes are undone together
        failure = AuditLog.objects.get(action="rule.failed")
        self.assertEqual((failure.data["rule"], failure.data["conversation"]), (rule.pk, conv.pk))
        self.assertIn("no longer exists", failure.data["error"])

    def test_it_assigns_a_given_member(self) -> None:
        self.rule("bob", {}, [{"type": "assign", "member": self.bob.user_id}])
        self.assertEqual(self.conversation().assignee_id, self.bob.user_id)


class ConditionsOnIngestTestCase(BaseTestCase):
    def matched(self, conditions: dict, **item: object) -> bool:
        actions.do_create_rule(self.alice, "probe", conditions,
                               [{"type": "tag", "tags": ["hit"]}])
        conv = self.conversation(**item)
        actions.do_delete_rule(self.alice, actions.Rule.objects.get(name="probe").pk)
        return conv.tags.filter(name="hit").exists()

    def test_network_channel_and_kind(self) -> None:
        self.assertTrue(self.matched({"networks": ["demo"], "channels": [self.channel.pk],
                                      "kinds": ["dm", "comment"]}))
        self.assertFalse(self.matched({"kinds": ["review"]}))

    def test_text_by_the_inbox_search_rules(self) -> None:
        self.assertTrue(self.matched({"text": "palaute"}, text="Kiitos palautteesta!"))
        self.assertTrue(self.matched({"text": '"hyvää päivää"'}, text="No hyvää päivää vaan"))
        self.assertFalse(self.matched({"text": '"päivää hyvää"'}, text="No hyvää päivää vaan"))
        self.assertTrue(self.matched({"text": "kahvi*"}, text="Kahvila on kiva"))

    def test_language(self) -> None:
        text = "Tämä on suomenkielinen viesti, jossa on monta sanaa ja paljon asiaa."
        self.assertTrue(self.matched({"languages": ["fi"]}, text=text))
        self.assertFalse(self.matched({"languages": ["sv"]}, text=text))

    def test_contact_handle_and_first_time(self) -> None:
        who = {"external_id": "u-1", "handle": "@Maija", "name": "Maija"}
        self.assertTrue(self.matched({"contact": {"handles": ["maija"], "first_time": True}},
                                     author=who))
        self.assertFalse(self.matched({"contact": {"first_time": True}}, author=who))
        self.assertTrue(self.matched({"contact": {"handles": ["MAIJA"]}}, author=who))
        self.assertFalse(self.matched({"contact": {"handles": ["someone"]}}, author=who))

    def test_time_window_in_the_workspace_time_zone(self) -> None:
        # Monday 2025-03-03 06:30 UTC is 08:30 in Helsinki.
        at = datetime(2025, 3, 3, 6, 30, tzinfo=UTC).isoformat()
        window = {"start": "08:00", "end": "16:00", "weekdays": [0, 1, 2, 3, 4]}
        self.assertTrue(self.matched({"time": window}, created_at=at))
        self.assertFalse(self.matched({"time": {**window, "weekdays": [5, 6]}}, created_at=at))
        self.assertFalse(self.matched({"time": {"start": "09:00", "end": "16:00"}}, created_at=at))
        self.assertTrue(self.matched({"time": {"start": "22:00", "end": "09:00"}}, created_at=at))


class SentimentTestCase(BaseTestCase):
    def test_rules_after_a_sentiment_rule_wait_for_the_worker(self) -> None:
        actions.do_create_rule(self.alice, "angry", {"sentiments": ["negative"]},
                               [{"type": "priority", "priority": "urgent"}])
        actions.do_create_rule(self.alice, "tag all", {}, [{"type": "tag", "tags": ["seen"]}])
        conv = self.conversation(
            text="This is terrible, the worst service ever, I am very angry and disappointed!"
        )
        self.assertEqual((conv.priority, conv.tags.count()), (Priority.NONE, 0))
        self.assertEqual(PendingRuleRun.objects.count(), 1)
        fill_sentiment()
        conv.refresh_from_db()
        self.assertEqual(conv.sentiment, "negative")
        self.assertEqual(conv.priority, Priority.URGENT)
        self.assertEqual(list(conv.tags.values_list("name", flat=True)), ["seen"])
        self.assertFalse(PendingRuleRun.objects.exists())

    def test_a_rule_that_fails_on_other_conditions_does_not_wait(self) -> None:
        actions.do_create_rule(self.alice, "angry dm", {"sentiments": ["negative"], "kinds": ["dm"]},
                               [{"type": "priority", "priority": "urgent"}])
        actions.do_create_rule(self.alice, "tag all", {}, [{"type": "tag", "tags": ["seen"]}])
        conv = self.conversation(kind="comment", text="Terrible, awful!")
        self.assertEqual(list(conv.tags.values_list("name", flat=True)), ["seen"])
        self.assertFalse(PendingRuleRun.objects.exists())


class ConversationChangedTestCase(BaseTestCase):
    def test_a_persons_change_runs_those_rules_and_a_rules_change_does_not_loop(self) -> None:
        actions.do_create_rule(self.alice, "on change", {"networks": ["demo"]},
                               [{"type": "tag", "tags": ["touched"]},
                                {"type": "status", "status": "pending"}],
                               trigger="conversation_changed")
        conv = self.conversation()
        self.assertEqual(conv.tags.count(), 0)  # ingest is no person's change
        from breakwater.inbox.actions import do_set_priority

        do_set_priority(self.bob, conv.pk, "high")
        conv.refresh_from_db()
        self.assertEqual((conv.status, list(conv.tags.values_list("name", flat=True))),
                         ("pending", ["touched"]))
        self.assertEqual(AuditLog.objects.filter(action="conversation.updated",
                                                 data__has_key="rule").count(), 1)
