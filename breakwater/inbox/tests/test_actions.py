import hashlib
from unittest import mock

from breakwater.connectors.base import OutboundReply
from breakwater.connectors.demo.connector import DemoConnector
from breakwater.core.errors import Conflict, Forbidden, Invalid, NotFound
from breakwater.core.models import AuditLog
from breakwater.inbox import actions
from breakwater.inbox.actions import Changes
from breakwater.inbox.models import (
    Conversation,
    ConversationTag,
    DeliveryState,
    Message,
    Note,
    Priority,
    Status,
    Tag,
)
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.test import BaseTestCase


def demo_external_id(key: str) -> str:
    return "demo-reply-" + hashlib.sha256(key.encode()).hexdigest()[:20]


class ActionsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.conv = self.conversation(text="Where is my order?")

    def audit_actions(self) -> list[str]:
        return list(
            AuditLog.objects.filter(workspace=self.acme, actor__isnull=False)
            .exclude(action__in=["token.created", "channel.created"])
            .order_by("id")
            .values_list("action", flat=True)
        )


class UpdateTestCase(ActionsTestCase):
    def test_it_lets_an_agent_change_status_and_audits_it(self) -> None:
        conv = actions.do_set_status(self.bob, self.conv.pk, Status.DONE)
        self.assertEqual(conv.status, Status.DONE)
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.status, Status.DONE)
        self.assertGreater(self.conv.updated_at, self.conv.created_at)

        row = AuditLog.objects.get(action="conversation.updated")
        self.assertEqual(
            (row.actor_id, row.target_type, row.target_id),
            (self.bob.user_id, "conversation", self.conv.pk),
        )
        self.assertEqual(row.data, {"status": "done"})

    def test_it_refuses_a_viewer(self) -> None:
        calls = [
            lambda: actions.do_set_status(self.vera, self.conv.pk, Status.DONE),
            lambda: actions.do_assign(self.vera, self.conv.pk, self.vera.user_id),
            lambda: actions.do_tag(self.vera, self.conv.pk, ["vip"]),
            lambda: actions.do_set_priority(self.vera, self.conv.pk, "high"),
            lambda: actions.do_add_note(self.vera, self.conv.pk, "a viewer's thought"),
            lambda: actions.do_reply(self.vera, self.conv.pk, "Hello from a viewer"),
        ]
        for call in calls:
            with self.assertRaises(Forbidden):
                call()
        self.conv.refresh_from_db()
        self.assertEqual((self.conv.status, self.conv.assignee_id), (Status.OPEN, None))
        self.assertFalse(Tag.objects.exists())
        self.assertFalse(Note.objects.exists())
        self.assertEqual(self.conv.message_count, 1)
        self.assertEqual(self.audit_actions(), [])

    def test_it_hides_another_workspaces_conversations(self) -> None:
        calls = [
            lambda: actions.do_set_status(self.charlie, self.conv.pk, Status.DONE),
            lambda: actions.do_tag(self.charlie, self.conv.pk, ["mine"]),
            lambda: actions.do_add_note(self.charlie, self.conv.pk, "peek"),
            lambda: actions.do_reply(self.charlie, self.conv.pk, "Hello from elsewhere"),
            lambda: actions.access_conversation(self.charlie, self.conv.pk),
        ]
        for call in calls:
            with self.assertRaises(NotFound):
                call()
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.status, Status.OPEN)
        self.assertFalse(Tag.objects.exists())
        self.assertFalse(Delivery.objects.exists())

    def test_it_assigns_to_members_only(self) -> None:
        actions.do_assign(self.bob, self.conv.pk, "alice@example.org")
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.assignee_id, self.alice.user_id)
        actions.do_assign(self.bob, self.conv.pk, str(self.bob.user_id))
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.assignee_id, self.bob.user_id)

        with self.assertRaises(Invalid):
            actions.do_assign(self.bob, self.conv.pk, self.charlie.user_id)
        with self.assertRaises(Invalid):
            actions.do_assign(self.bob, self.conv.pk, "nobody@example.org")

        actions.do_assign(self.bob, self.conv.pk, None)
        self.conv.refresh_from_db()
        self.assertIsNone(self.conv.assignee_id)
        data = list(
            AuditLog.objects.filter(action="conversation.updated").values_list("data", flat=True)
        )
        self.assertEqual(
            [d["assignee"] for d in data], ["alice@example.org", "bob@example.org", None]
        )

    def test_it_sets_priority_by_name_or_number(self) -> None:
        actions.do_set_priority(self.bob, self.conv.pk, "urgent")
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.priority, Priority.URGENT)
        actions.do_set_priority(self.bob, self.conv.pk, 1)
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.priority, Priority.LOW)
        for bad in ("sky-high", 9):
            with self.assertRaises(Invalid):
                actions.do_set_priority(self.bob, self.conv.pk, bad)

    def test_it_rejects_an_unknown_status(self) -> None:
        with self.assertRaises(Invalid):
            actions.do_set_status(self.bob, self.conv.pk, "archived")

    def test_it_creates_tags_on_first_use_and_removes_them(self) -> None:
        actions.do_tag(self.bob, self.conv.pk, ["vip", " refund "])
        self.assertEqual(
            sorted(Tag.objects.filter(workspace=self.acme).values_list("name", flat=True)),
            ["refund", "vip"],
        )
        other_conv = self.conversation()
        actions.do_tag(self.bob, other_conv.pk, ["vip"])
        self.assertEqual(Tag.objects.filter(workspace=self.acme).count(), 2)
        actions.do_tag(self.bob, self.conv.pk, ["vip"])  # already there: nothing changes
        self.assertEqual(ConversationTag.objects.filter(conversation=self.conv).count(), 2)

        actions.do_untag(self.bob, self.conv.pk, ["refund", "never-existed"])
        self.assertEqual(
            list(
                ConversationTag.objects.filter(conversation=self.conv).values_list(
                    "tag__name", flat=True
                )
            ),
            ["vip"],
        )
        data = list(
            AuditLog.objects.filter(action="conversation.updated")
            .order_by("id")
            .values_list("data", flat=True)
        )
        self.assertEqual(
            data,
            [
                {"added_tags": ["refund", "vip"]},
                {"added_tags": ["vip"]},
                {"removed_tags": ["refund"]},
            ],
        )
        # A tag of the same name in another workspace is another tag.
        other = self.conversation(workspace=self.other)
        actions.do_tag(self.charlie, other.pk, ["vip"])
        self.assertEqual(Tag.objects.filter(name="vip").count(), 2)

        with self.assertRaises(Invalid):
            actions.do_tag(self.bob, self.conv.pk, ["x" * 65])

    def test_it_updates_many_conversations_at_once(self) -> None:
        convs = [self.conv, self.conversation(), self.conversation()]
        ids = [c.pk for c in convs]
        changes = Changes(
            status=Status.PENDING, assignee="bob@example.org", assign=True, add_tags=["batch"]
        )
        updated = actions.do_update_conversations(self.alice, ids, changes)
        self.assertEqual(sorted(c.pk for c in updated), sorted(ids))
        rows = Conversation.objects.filter(pk__in=ids)
        self.assertEqual({(c.status, c.assignee_id) for c in rows}, {("pending", self.bob.user_id)})
        self.assertEqual(ConversationTag.objects.filter(tag__name="batch").count(), 3)
        self.assertEqual(AuditLog.objects.filter(action="conversation.updated").count(), 3)

    def test_it_changes_nothing_in_a_bulk_update_naming_a_foreign_conversation(self) -> None:
        foreign = self.conversation(workspace=self.other)
        with self.assertRaises(NotFound):
            actions.do_update_conversations(
                self.alice, [self.conv.pk, foreign.pk], Changes(status=Status.DONE)
            )
        self.assertEqual(set(Conversation.objects.values_list("status", flat=True)), {Status.OPEN})


class NoteTestCase(ActionsTestCase):
    def test_it_adds_a_note_with_mentions(self) -> None:
        note = actions.do_add_note(
            self.bob, self.conv.pk, "  @alice can you check? cc @vera@example.org and @alice  "
        )
        self.assertEqual(note.text, "@alice can you check? cc @vera@example.org and @alice")
        self.assertEqual(note.mentions, ["alice", "vera@example.org"])
        self.assertEqual((note.author_id, note.workspace_id), (self.bob.user_id, self.acme.pk))
        self.assertEqual(self.audit_actions(), ["note.created"])
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.message_count, 1)  # a note is no message

    def test_it_refuses_an_empty_or_huge_note(self) -> None:
        for text in ("", "   ", "x" * (actions.MAX_TEXT + 1)):
            with self.assertRaises(Invalid):
                actions.do_add_note(self.bob, self.conv.pk, text)


class ReplyTestCase(ActionsTestCase):
    def reply(
        self, text: str = "Sorry! We are on it.", key: str | None = "key-1", member=None
    ) -> tuple[Message, bool]:
        with self.captureOnCommitCallbacks(execute=True):
            return actions.do_reply(member or self.bob, self.conv.pk, text, key)

    def test_it_creates_an_outbound_message_and_a_delivery(self) -> None:
        inbound = self.conv.messages.get()
        with self.captureOnCommitCallbacks() as callbacks:
            message, created = actions.do_reply(self.bob, self.conv.pk, " Sorry! ", "key-1")
        self.assertTrue(created)
        self.assertEqual(
            (message.direction, message.kind, message.text), ("out", "reply", "Sorry!")
        )
        self.assertEqual(message.parent_external_id, inbound.external_id)
        self.assertEqual(message.sent_by_id, self.bob.user_id)
        self.assertEqual(message.delivery_state, DeliveryState.QUEUED)

        delivery = Delivery.objects.get()
        self.assertEqual(
            (delivery.workspace_id, delivery.channel_id, delivery.idempotency_key),
            (self.acme.pk, self.channel.pk, "key-1"),
        )
        self.assertEqual(delivery.ref, f"message:{message.pk}")
        self.assertEqual(delivery.payload["in_reply_to"], inbound.external_id)
        self.assertEqual(delivery.status, DeliveryStatus.QUEUED)

        self.conv.refresh_from_db()
        self.assertEqual(self.conv.message_count, 2)
        self.assertEqual(self.conv.first_response_at, message.created_at)
        self.assertEqual(self.conv.last_activity_at, message.created_at)
        self.assertEqual(self.audit_actions(), ["reply.queued"])

        # Nothing goes out before the transaction commits; then the delivery runs.
        for callback in callbacks:
            callback()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.SENT)

    def test_it_ends_sent_with_the_demo_networks_id(self) -> None:
        message, _ = self.reply(key="key-sent")
        message.refresh_from_db()
        delivery = Delivery.objects.get()
        self.assertEqual((delivery.status, delivery.attempts), (DeliveryStatus.SENT, 1))
        self.assertEqual(delivery.external_id, demo_external_id("key-sent"))
        self.assertEqual(message.delivery_state, DeliveryState.SENT)
        self.assertEqual(message.external_id, demo_external_id("key-sent"))
        self.assertTrue(message.url.startswith("https://demo.invalid/acme/"))

        # The network's echo of our own reply is not stored a second time.
        echo = self.item(
            thread_key=self.conv.thread_key,
            external_id=message.external_id,
            direction="out",
            kind="reply",
            text=message.text,
        )
        result = self.ingest(self.acme, [echo])
        self.assertEqual((result.created, result.duplicates), (0, 1))

    def test_it_returns_the_first_reply_for_the_same_key_and_sends_once(self) -> None:
        with mock.patch.object(
            DemoConnector, "send_reply", autospec=True, side_effect=DemoConnector.send_reply
        ) as send:
            first, created1 = self.reply(key="same")
            second, created2 = self.reply(key="same")
        self.assertEqual((created1, created2), (True, False))
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(send.call_count, 1)
        self.assertEqual(Delivery.objects.count(), 1)
        self.assertEqual(Message.objects.filter(direction="out").count(), 1)
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.message_count, 2)

    def test_it_refuses_the_same_key_for_other_text(self) -> None:
        self.reply("First answer", key="k")
        with self.assertRaises(Conflict):
            self.reply("Another answer", key="k")
        other_conv = self.conversation()
        with self.assertRaises(Conflict):
            actions.do_reply(self.bob, other_conv.pk, "First answer", "k")
        self.assertEqual(Delivery.objects.count(), 1)

    def test_it_keys_idempotency_per_workspace(self) -> None:
        self.reply(key="shared")
        other = self.conversation(workspace=self.other)
        with self.captureOnCommitCallbacks(execute=True):
            _, created = actions.do_reply(self.charlie, other.pk, "Hi", "shared")
        self.assertTrue(created)
        self.assertEqual(Delivery.objects.count(), 2)

    def test_it_refuses_empty_and_too_long_replies(self) -> None:
        for text in ("", "   ", "x" * (DemoConnector.max_text_length + 1)):
            with self.assertRaises(Invalid):
                actions.do_reply(self.bob, self.conv.pk, text, None)
        with self.assertRaises(Invalid):
            actions.do_reply(self.bob, self.conv.pk, "hi", "k" * 201)
        self.assertFalse(Delivery.objects.exists())

    def test_it_gives_a_reply_without_key_its_own_key(self) -> None:
        self.reply("One", key=None)
        self.reply("One", key=None)
        self.assertEqual(Delivery.objects.count(), 2)

    def test_it_never_sends_internal_notes_to_a_connector(self) -> None:
        sent: list[OutboundReply] = []

        def spy_send(connector: DemoConnector, reply: OutboundReply) -> object:
            sent.append(reply)
            return DemoConnector._result(connector, reply)

        def spy_find(connector: DemoConnector, reply: OutboundReply) -> object:
            sent.append(reply)
            return None

        secret = "CONFIDENTIAL: customer is on the VIP refund list"  # noqa: S105 (test text)
        with (
            mock.patch.object(DemoConnector, "send_reply", autospec=True, side_effect=spy_send),
            mock.patch.object(DemoConnector, "find_delivery", autospec=True, side_effect=spy_find),
        ):
            with self.captureOnCommitCallbacks(execute=True):
                actions.do_add_note(self.bob, self.conv.pk, secret)
            self.assertEqual(sent, [])
            self.reply("We will refund you today.", key="public")
            with self.captureOnCommitCallbacks(execute=True):
                actions.do_add_note(self.alice, self.conv.pk, f"{secret} (again)")

        self.assertEqual([r.text for r in sent], ["We will refund you today."])
        self.assertEqual(sent[0].idempotency_key, "public")
        for reply in sent:
            self.assertNotIn("CONFIDENTIAL", repr(reply))
        for payload in Delivery.objects.values_list("payload", flat=True):
            self.assertNotIn("CONFIDENTIAL", repr(payload))
        self.assertEqual(Note.objects.count(), 2)
