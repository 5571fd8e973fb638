"""The Matrix connector against a real Synapse: customers write in a DM and in a community
room, Breakwater's replies arrive as ``m.in_reply_to`` replies, poll and stream share one
cursor without duplicates, and refused credentials need attention until reconnected."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from breakwater.connectors.matrix.connector import MatrixConnector
from breakwater.connectors.matrix.tests.homeserver import Synapse, lossy_proxy
from breakwater.core.models import Channel, ChannelStatus
from breakwater.inbox.actions import do_reply
from breakwater.inbox.models import Conversation, Direction, Message
from breakwater.ingest import sync
from breakwater.ingest.models import SyncState
from breakwater.ingest.pipeline import ingest_items
from breakwater.outbox import actions as outbox
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.test import BaseTestCase, listening_addresses

pytestmark = [pytest.mark.xdist_group("matrix"), pytest.mark.usefixtures("synapse_on_class")]


class SynapseTestCase(BaseTestCase):
    synapse: Synapse

    def setUp(self) -> None:
        self.brand = self.synapse.account("brand")
        self.customer = self.synapse.account("asiakas")
        self.community = self.customer.create_room(public=True, name="Aalto Kahvi community")

    def config(self, **overrides: Any) -> dict[str, Any]:
        return {
            "homeserver": self.synapse.url,
            "user_id": self.brand.user_id,
            "access_token": self.brand.access_token,
            "room_id": self.community,
            **overrides,
        }

    def connect(self, **overrides: Any) -> Channel:
        response = self.api(
            "post",
            "/api/v1/channels",
            self.alice_token,
            json={
                "network": "matrix",
                "name": "Aalto Kahvi Matrix",
                "config": {k: v for k, v in self.config(**overrides).items() if v is not None},
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        return Channel.objects.get(pk=response.json()["id"])

    def sync_all(self, channel: Channel) -> int:
        """Poll until the channel has nothing more now (joining a DM takes one more turn)."""
        stored = 0
        for _ in range(5):
            SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())
            stored += sync.sync_channel(channel.pk)
            if SyncState.objects.get(pk=channel.pk).next_poll_at > timezone.now():
                return stored
        return stored

    def run_outbox(self) -> None:
        for _ in range(5):
            Delivery.objects.exclude(
                status__in=(DeliveryStatus.SENT, DeliveryStatus.FAILED)
            ).update(next_attempt_at=timezone.now(), updated_at=timezone.now() - outbox.LEASE)
            due = outbox.claim_due_deliveries()
            if not due:
                return
            for delivery_id in due:
                outbox.do_deliver(delivery_id)

    def reply(self, conv: Conversation, text: str, key: str) -> Message:
        with self.captureOnCommitCallbacks(execute=True):
            message, _ = do_reply(self.bob, conv.pk, text, key)
        self.run_outbox()
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "sent", message.delivery_error)
        return message

    def detail(self, channel: Channel) -> dict[str, Any]:
        return self.api("get", f"/api/v1/channels/{channel.pk}", self.alice_token).json()


class InboxTestCase(SynapseTestCase):
    def test_a_dm_and_community_messages_reach_the_inbox(self) -> None:
        channel = self.connect()
        dm = self.customer.create_room(invite=[self.brand.user_id], direct=True)
        self.customer.send(dm, "Hei! Tilaukseni 1234 ei ole vielä tullut.")
        question = self.customer.send(self.community, "Onko uusi paahto jo myynnissä?")
        self.customer.send(
            self.community, "Ja onko se luomua?", {"m.in_reply_to": {"event_id": question}}
        )
        self.assertEqual(self.sync_all(channel), 3)
        dm_conv = Conversation.objects.get(channel=channel, kind="dm")
        self.assertEqual(dm_conv.thread_key, f"dm|{dm}")
        (dm_message,) = Message.objects.filter(conversation=dm_conv)
        self.assertEqual(
            (dm_message.text, dm_message.is_public, dm_message.direction),
            ("Hei! Tilaukseni 1234 ei ole vielä tullut.", False, Direction.IN),
        )
        room_conv = Conversation.objects.get(channel=channel, kind="comment")
        self.assertEqual(room_conv.thread_key, f"room|{self.community}")
        texts = list(
            Message.objects.filter(conversation=room_conv)
            .order_by("created_at")
            .values_list("text", "parent_external_id", "is_public")
        )
        self.assertEqual(
            texts,
            [("Onko uusi paahto jo myynnissä?", "", True), ("Ja onko se luomua?", question, True)],
        )
        # The invite was accepted and the room recorded as a DM of the brand's account.
        self.assertIn(dm, self.brand.call("GET", "joined_rooms")["joined_rooms"])
        m_direct = self.brand.call("GET", f"user/{self.brand.user_id}/account_data/m.direct")
        self.assertEqual(m_direct, {self.customer.user_id: [dm]})
        detail = self.detail(channel)
        self.assertEqual((detail["status"], detail["last_error"]), ("active", ""))
        self.assertIsNotNone(detail["last_synced_at"])

    def test_the_brands_own_messages_from_other_clients_come_in_as_out(self) -> None:
        channel = self.connect()
        self.customer.send(self.community, "Moi kaikki")
        self.brand.send(self.community, "Tervetuloa yhteisöön!")
        self.sync_all(channel)
        directions = dict(Message.objects.filter(channel=channel).values_list("text", "direction"))
        self.assertEqual(
            directions, {"Moi kaikki": Direction.IN, "Tervetuloa yhteisöön!": Direction.OUT}
        )

    def test_a_busy_room_loses_nothing_between_two_syncs(self) -> None:
        channel = self.connect()
        self.sync_all(channel)
        for n in range(65):  # more than one /sync timeline holds (50): filled from /messages
            self.customer.send(self.community, f"viesti {n}")
        self.assertEqual(self.sync_all(channel), 65)
        self.assertEqual(Message.objects.filter(channel=channel).count(), 65)

    def test_a_wrong_token_is_a_422_with_synapses_text(self) -> None:
        response = self.api(
            "post",
            "/api/v1/channels",
            self.alice_token,
            json={
                "network": "matrix",
                "name": "Typo",
                "config": self.config(access_token="syt_wrong"),  # noqa: S106
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("M_UNKNOWN_TOKEN: Invalid access token passed.", response.json()["error"])
        self.assertFalse(Channel.objects.filter(name="Typo").exists())

    def test_an_internal_team_room_is_followed_as_private_comments(self) -> None:
        colleague = self.customer  # a teammate's account on the same homeserver
        team = colleague.create_room(name="Tiimi", invite=[self.brand.user_id])
        channel = self.connect(room_id=team)
        colleague.send(team, "Kuka ottaa huomisen vuoron?")
        self.sync_all(channel)
        (message,) = Message.objects.filter(channel=channel)
        self.assertEqual(
            (message.kind, message.is_public, message.text),
            ("comment", False, "Kuka ottaa huomisen vuoron?"),
        )

    def test_a_private_room_the_brand_is_not_in_is_refused_with_synapses_text(self) -> None:
        private = self.customer.create_room(name="Tiimi")
        response = self.api(
            "post",
            "/api/v1/channels",
            self.alice_token,
            json={"network": "matrix", "name": "Tiimi", "config": self.config(room_id=private)},
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("M_FORBIDDEN", response.json()["error"])

    def test_reconciliation_reads_the_rooms_history(self) -> None:
        channel = self.connect()
        dm = self.customer.create_room(invite=[self.brand.user_id], direct=True)
        self.sync_all(channel)
        self.customer.send(dm, "Yksityisesti")
        self.customer.send(self.community, "Julkisesti")
        connector = sync.connector_for(channel)
        items = connector.reconcile(timezone.now() - timezone.timedelta(hours=1))
        self.assertEqual(
            sorted((i.kind, i.text) for i in items),
            [("comment", "Julkisesti"), ("dm", "Yksityisesti")],
        )
        self.assertEqual(ingest_items(channel.workspace_id, items).created, 2)


class ReplyTestCase(SynapseTestCase):
    def test_a_reply_in_a_dm_arrives_as_an_in_reply_to_reply(self) -> None:
        channel = self.connect()
        dm = self.customer.create_room(invite=[self.brand.user_id], direct=True)
        asked = self.customer.send(dm, "Milloin paketti tulee?")
        self.sync_all(channel)
        conv = Conversation.objects.get(channel=channel, kind="dm")
        message = self.reply(conv, "Huomenna aamupäivällä!", "reply-dm-1")
        seen = self.customer.messages(dm)[-1]
        self.assertEqual(seen["event_id"], message.external_id)
        self.assertEqual(seen["sender"], self.brand.user_id)
        self.assertEqual(seen["content"]["m.relates_to"], {"m.in_reply_to": {"event_id": asked}})
        self.assertEqual(
            seen["content"]["body"],
            f"> <{self.customer.user_id}> Milloin paketti tulee?\n\nHuomenna aamupäivällä!",
        )
        # Its echo in the next sync is the same message, not a new one.
        self.sync_all(channel)
        self.assertEqual(Message.objects.filter(conversation=conv).count(), 2)

    def test_replies_in_the_community_room_and_in_a_matrix_thread(self) -> None:
        channel = self.connect()
        question = self.customer.send(self.community, "Onko kauralattea?")
        follow_up = self.customer.send(
            self.community,
            "Entä soijalattea?",
            {
                "rel_type": "m.thread",
                "event_id": question,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": question},
            },
        )
        self.sync_all(channel)
        room_conv = Conversation.objects.get(channel=channel, thread_key=f"room|{self.community}")
        thread_conv = Conversation.objects.get(
            channel=channel, thread_key=f"room|{self.community}|{question}"
        )
        self.reply(room_conv, "On!", "reply-room-1")
        self.reply(thread_conv, "Soijaakin on.", "reply-thread-1")
        _question, _follow_up, in_room, in_thread = self.customer.messages(self.community)
        self.assertEqual(
            in_room["content"]["m.relates_to"], {"m.in_reply_to": {"event_id": question}}
        )
        self.assertEqual(
            in_thread["content"]["m.relates_to"],
            {
                "m.in_reply_to": {"event_id": follow_up},
                "rel_type": "m.thread",
                "event_id": question,
                "is_falling_back": False,
            },
        )
        self.assertEqual(self.sync_all(channel), 0)

    def test_a_reply_whose_answer_was_lost_is_found_not_sent_again(self) -> None:
        proxy = self.enterContext(lossy_proxy(self.synapse.url))
        channel = self.connect(homeserver=proxy.url)
        dm = self.customer.create_room(invite=[self.brand.user_id], direct=True)
        self.customer.send(dm, "Onko tilaus lähtenyt?")
        self.sync_all(channel)
        conv = Conversation.objects.get(channel=channel, kind="dm")
        proxy.lose_answers_to = "/send/"
        with self.captureOnCommitCallbacks(execute=True):
            message, _ = do_reply(self.bob, conv.pk, "Lähti tänään.", "reply-lost-1")
        delivery = Delivery.objects.get(idempotency_key="reply-lost-1")
        self.assertEqual((proxy.lost, delivery.status), (1, DeliveryStatus.UNKNOWN))
        self.run_outbox()
        delivery.refresh_from_db()
        message.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (DeliveryStatus.SENT, 2))
        replies = [m for m in self.customer.messages(dm) if m["sender"] == self.brand.user_id]
        self.assertEqual(
            [
                (m["event_id"], m["content"]["m.relates_to"]["m.in_reply_to"]["event_id"])
                for m in replies
            ],
            [
                (
                    message.external_id,
                    Message.objects.get(conversation=conv, direction=Direction.IN).external_id,
                )
            ],
        )

    def test_the_same_key_sends_once_and_find_delivery_finds_it(self) -> None:
        channel = self.connect()
        dm = self.customer.create_room(invite=[self.brand.user_id], direct=True)
        self.sync_all(channel)
        from breakwater.connectors.base import OutboundReply

        reply = OutboundReply(
            idempotency_key="once-1",
            text="Kerran vain",
            thread_key=f"dm|{dm}",
            in_reply_to=None,
            is_public=False,
            network="matrix",
        )
        connector = MatrixConnector(self.config())
        self.assertIsNone(connector.find_delivery(reply))
        first = connector.send_reply(reply)
        self.assertEqual(connector.send_reply(reply), first)
        self.assertEqual(connector.find_delivery(reply), first)
        # With another token (another device) the key in the content still finds it.
        other = MatrixConnector(self.config(access_token=self.brand.login_again()))
        self.assertEqual(other.find_delivery(reply).external_id, first.external_id)
        self.assertEqual(
            [m["content"]["body"] for m in self.customer.messages(dm)], ["Kerran vain"]
        )


class CursorTestCase(SynapseTestCase):
    def test_poll_stream_and_the_same_sync_again_make_no_duplicates(self) -> None:
        channel = self.connect()
        self.sync_all(channel)
        before = SyncState.objects.get(pk=channel.pk).cursor
        self.customer.send(self.community, "Ensimmäinen")
        self.customer.send(self.community, "Toinen")
        self.assertEqual(self.sync_all(channel), 2)
        # The stream starts from the older cursor: it gets both again, and stores nothing new.
        SyncState.objects.filter(pk=channel.pk).update(cursor=before)
        stop = threading.Event()
        stop.set()  # one page, then stop
        sync.stream_channel(channel.pk, stop)
        # And the very same /sync once more, by hand.
        again = sync.connector_for(channel).poll(before)
        self.assertEqual([i.text for i in again.items], ["Ensimmäinen", "Toinen"])
        self.assertEqual(ingest_items(channel.workspace_id, again.items).created, 0)
        self.assertEqual(Message.objects.filter(channel=channel).count(), 2)
        self.assertNotEqual(SyncState.objects.get(pk=channel.pk).cursor, before)

    def test_the_stream_long_polls_and_wakes_when_a_message_comes(self) -> None:
        channel = self.connect()
        self.sync_all(channel)
        connector = sync.connector_for(channel)
        pages = connector.stream(SyncState.objects.get(pk=channel.pk).cursor)
        timer = threading.Timer(1.0, self.customer.send, (self.community, "Reaaliajassa"))
        timer.start()
        try:
            page = next(page for page in pages if page.items)
        finally:
            timer.cancel()
        self.assertEqual([i.text for i in page.items], ["Reaaliajassa"])
        self.assertEqual(sync.store_page(channel, connector, page), 1)


class CredentialsTestCase(SynapseTestCase):
    def test_a_logged_out_token_needs_attention_and_a_new_one_resumes(self) -> None:
        channel = self.connect()
        self.customer.send(self.community, "Ennen")
        self.sync_all(channel)
        self.brand.logout()
        self.customer.send(self.community, "Katkon aikana")
        self.sync_all(channel)
        channel.refresh_from_db()
        self.assertEqual(channel.status, ChannelStatus.NEEDS_ATTENTION)
        detail = self.detail(channel)
        self.assertEqual(detail["status"], "needs_attention")
        self.assertIn("M_UNKNOWN_TOKEN: Invalid access token passed.", detail["last_error"])
        cursor = SyncState.objects.get(pk=channel.pk).cursor
        response = self.api(
            "post",
            f"/api/v1/channels/{channel.pk}/reconnect",
            self.alice_token,
            json={"config": {"access_token": self.brand.login_again()}},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "active")
        self.assertEqual(SyncState.objects.get(pk=channel.pk).cursor, cursor)
        self.assertEqual(self.sync_all(channel), 1)
        self.assertEqual(
            list(
                Message.objects.filter(channel=channel)
                .order_by("created_at")
                .values_list("text", flat=True)
            ),
            ["Ennen", "Katkon aikana"],
        )

    def test_a_changed_password_needs_attention_and_the_new_one_resumes(self) -> None:
        channel = self.connect(access_token=None, password=self.brand.password)
        self.customer.send(self.community, "Ennen")
        self.sync_all(channel)
        self.brand.change_password("uusi-salasana-2026")
        self.customer.send(self.community, "Vaihdon jälkeen")
        self.sync_all(channel)
        detail = self.detail(channel)
        self.assertEqual(detail["status"], "needs_attention")
        self.assertIn("M_FORBIDDEN: Invalid username or password", detail["last_error"])
        response = self.api(
            "post",
            f"/api/v1/channels/{channel.pk}/reconnect",
            self.alice_token,
            json={"config": {"password": "uusi-salasana-2026"}},
        )
        self.assertEqual(response.json()["status"], "active", response.content)
        self.assertEqual(self.sync_all(channel), 1)
        self.assertEqual(Message.objects.filter(channel=channel).count(), 2)


def test_synapse_listens_on_loopback_only(synapse_state: str) -> None:
    addresses = listening_addresses(int((Path(synapse_state) / "pid").read_text()))
    assert addresses and {host for host, _ in addresses} == {"127.0.0.1"}, addresses
