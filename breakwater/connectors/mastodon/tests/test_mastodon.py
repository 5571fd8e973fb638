"""A Mastodon channel against the loopback server (fake_server.py), driven by Mastodon.py:
what customers post reaches the inbox, replies and new posts go out once (replies threaded,
posts with their images and alt text), poll and stream never double anything, a revoked
token needs attention and a new one resumes."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from breakwater.connectors.mastodon.tests.fake_server import (
    INVALID_TOKEN,
    FakeMastodon,
    fake_mastodon,
)
from breakwater.core.models import Channel, ChannelStatus
from breakwater.inbox.actions import do_reply
from breakwater.inbox.models import Conversation, Message
from breakwater.ingest import sync
from breakwater.ingest.models import SyncState
from breakwater.outbox import actions as outbox
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.test import BaseTestCase

PNG = b"\x89PNG\r\n\x1a\n"  # the signature; the server does not decode images


class MastodonChannelTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.fake: FakeMastodon = self.enterContext(fake_mastodon())
        self.brand, self.brand_token = self.fake.register("aalto", "Aalto Kahvi")
        maija, maija_token = self.fake.register("maija", "Maija Meikäläinen")
        self.maija_id, self.maija = maija["id"], self.fake.client(maija_token)

    def connect(self) -> Channel:
        response = self.api("post", "/api/v1/channels", self.alice_token, json={
            "network": "mastodon", "name": "Aalto Mastodonissa",
            "config": {"base_url": self.fake.base, "access_token": self.brand_token}})
        self.assertEqual(response.status_code, 201, response.content)
        return Channel.objects.get(pk=response.json()["id"])

    def brand_posts(self) -> list[dict]:
        return [r for r in self.fake.requests if r["method"] == "POST"
                and r["headers"].get("Authorization") == f"Bearer {self.brand_token}"]

    def poll_now(self, channel: Channel) -> int:
        SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now(), lease_until=None)
        return sync.sync_once()

    def reply(self, conv: Conversation, text: str, key: str) -> Message:
        with self.captureOnCommitCallbacks(execute=False):
            message, _ = do_reply(self.bob, conv.pk, text, key)
        return message

    def run_outbox(self, rounds: int = 5) -> None:
        """What the worker does, with time moving on to each retry's due time."""
        for _ in range(rounds):
            Delivery.objects.exclude(status__in=(DeliveryStatus.SENT, DeliveryStatus.FAILED)).update(
                next_attempt_at=timezone.now(), updated_at=timezone.now() - outbox.LEASE)
            due = outbox.claim_due_deliveries()
            if not due:
                return
            for delivery_id in due:
                outbox.do_deliver(delivery_id)

    def stream_while(self, channel: Channel, act: Callable[[], None]) -> None:
        """Follow the channel's stream (as the worker does) until one page is stored; ``act``
        runs once the stream is open. If nothing comes, the server ends the stream."""
        stop, done = threading.Event(), threading.Event()

        def customer() -> None:
            for _ in range(100):
                if self.fake.open_streams() or done.wait(0.05):
                    break
            act()
            if not done.wait(10):  # a watchdog, so a broken stream fails the test, never hangs it
                self.fake.revoke(self.brand_token)

        helper = threading.Thread(target=customer, daemon=True)
        helper.start()
        stop.set()  # stream_channel checks it after each stored page
        try:
            sync.stream_channel(channel.pk, stop)
        finally:
            done.set()
            helper.join()

    def test_a_customer_mention_reaches_the_inbox_threaded_by_its_root(self) -> None:
        root = self.maija.status_post("@aalto Hei! Tilaukseni 4711 ei ole tullut.")
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 1)
        conv = Conversation.objects.get(channel=channel)
        first = conv.messages.get()
        self.assertEqual((first.external_id, first.kind, first.is_public), (root["id"], "mention", True))
        self.assertEqual(first.text, "@aalto Hei! Tilaukseni 4711 ei ole tullut.")
        # Someone answers Maija (without Breakwater), she answers that: still one conversation.
        _, pekka_token = self.fake.register("pekka")
        aside = self.fake.client(pekka_token).status_post("@maija Sama täällä", in_reply_to_id=root["id"])
        again = self.maija.status_post("@aalto @pekka Vieläkään ei mitään", in_reply_to_id=aside["id"])
        # A direct message is a private conversation of its own.
        dm = self.maija.status_post("@aalto Osoitteeni on Kuusitie 3", visibility="direct")
        self.assertEqual(self.poll_now(channel), 2)
        conv.refresh_from_db()
        self.assertEqual(conv.thread_key, root["id"])
        self.assertEqual(list(conv.messages.order_by("created_at").values_list("external_id", flat=True)),
                         [root["id"], again["id"]])
        private = Message.objects.get(channel=channel, external_id=dm["id"])
        self.assertEqual((private.kind, private.is_public), ("dm", False))
        self.assertEqual(private.conversation.thread_key, dm["id"])
        # The cursor is the newest notification id read, and the next poll starts there.
        state = SyncState.objects.get(pk=channel.pk)
        self.assertEqual(self.poll_now(channel), 0)
        self.assertEqual(self.fake.requests[-1]["query"]["min_id"], [state.cursor])
        self.assertEqual(self.fake.requests[-1]["query"]["types[]"], ["mention"])

    def test_a_reply_to_the_brands_own_post_brings_the_post_along(self) -> None:
        brand_app = self.fake.client(self.brand_token)  # the brand posting in Mastodon's own app
        post = brand_app.status_post("Uusi joulukahvi on täällä!")
        channel = self.connect()
        answer = self.maija.status_post("@aalto Onko se kofeiiniton?", in_reply_to_id=post["id"])
        self.assertEqual(sync.sync_once(), 2)
        conv = Conversation.objects.get(channel=channel)
        self.assertEqual((conv.thread_key, conv.kind, conv.status), (post["id"], "mention", "open"))
        own, asked = conv.messages.order_by("created_at")
        self.assertEqual((own.external_id, own.direction, own.kind), (post["id"], "out", "post"))
        self.assertEqual((asked.external_id, asked.direction), (answer["id"], "in"))
        # The reply goes to Maija's status, under the brand's post.
        self.reply(conv, "Ei ole, mutta kofeiiniton tulee ensi viikolla.", "decaf")
        self.run_outbox()
        [sent] = [s for s in self.fake.statuses_of(self.brand["id"]) if s["id"] != post["id"]]
        self.assertEqual(sent["in_reply_to_id"], answer["id"])

    def test_a_full_page_is_followed_at_once_by_the_next(self) -> None:
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 0)  # nothing yet: the cursor starts at the beginning
        posted = [self.maija.status_post(f"@aalto Kysymys {n}")["id"] for n in range(41)]
        self.assertEqual(self.poll_now(channel), 40)
        state = SyncState.objects.get(pk=channel.pk)
        self.assertLessEqual(state.next_poll_at, timezone.now(), "a full page: poll again now")
        self.assertEqual(sync.sync_once(), 1)
        stored = set(Message.objects.filter(channel=channel).values_list("external_id", flat=True))
        self.assertEqual(stored, set(posted))
        self.assertGreater(SyncState.objects.get(pk=channel.pk).next_poll_at, timezone.now())

    def test_a_reply_arrives_threaded_once_even_when_its_answer_was_lost(self) -> None:
        root = self.maija.status_post("@aalto Kahvinkeitin vuotaa, mitä teen?")
        channel = self.connect()
        sync.sync_once()
        conv = Conversation.objects.get(channel=channel)
        # The server stores the status but the connection drops before its answer.
        self.fake.drop_next_posts = 1
        message = self.reply(conv, "Ikävää! Lähetämme uuden tiivisteen.", "reply-keitin")
        self.run_outbox(rounds=1)
        delivery = Delivery.objects.get(idempotency_key="reply-keitin")
        self.assertEqual(delivery.status, DeliveryStatus.UNKNOWN)
        self.run_outbox()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.SENT)
        # From Maija's side: one reply, to her status, mentioning her, as public as hers.
        replies = self.maija.status_context(root["id"])["descendants"]
        self.assertEqual(len(replies), 1)
        [answer] = replies
        self.assertEqual((answer["account"]["acct"], answer["in_reply_to_id"], answer["visibility"]),
                         ("aalto", root["id"], "public"))
        self.assertIn("@<span>maija</span></a></span> Ikävää! Lähetämme uuden tiivisteen.", answer["content"])
        self.assertEqual([p["headers"].get("Idempotency-Key") for p in self.brand_posts()], ["reply-keitin"])
        message.refresh_from_db()
        self.assertEqual((message.delivery_state, message.external_id), ("sent", answer["id"]))
        self.assertEqual(message.url, answer["url"])

    def test_a_direct_message_is_answered_directly_and_a_resend_gives_the_same_status(self) -> None:
        dm = self.maija.status_post("@aalto Voinko vaihtaa toimitusosoitteen?", visibility="direct")
        channel = self.connect()
        sync.sync_once()
        conv = Conversation.objects.get(channel=channel)
        self.reply(conv, "Voit, kerro uusi osoite tässä.", "reply-dm")
        self.run_outbox()
        [answer] = self.maija.status_context(dm["id"])["descendants"]
        self.assertEqual((answer["visibility"], answer["in_reply_to_id"]), ("direct", dm["id"]))
        # Sending again with the same Idempotency-Key (a retry) gives the same status back.
        delivery = Delivery.objects.get(idempotency_key="reply-dm")
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED)
        self.run_outbox()
        self.assertEqual(len(self.fake.statuses_of(self.brand["id"])), 1)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.external_id), (DeliveryStatus.SENT, answer["id"]))

    def test_the_composer_counts_against_the_servers_own_limit(self) -> None:
        self.fake.max_characters = 60
        self.maija.status_post("@aalto Onko teillä kauralattea?")
        channel = self.connect()
        self.assertEqual(channel.config["server"],
                         {"max_characters": 60, "characters_reserved_per_url": 23})
        sync.sync_once()
        conv = Conversation.objects.get(channel=channel)
        # A long link counts 23: this fits in 60 as Mastodon counts, though it has 120 letters.
        link = "https://aalto.example/tuotteet/kaura?utm_source=mastodon&utm_campaign=" + "x" * 40
        checks = self.api("post", f"/api/v1/conversations/{conv.pk}/checks", self.bob_token,
                          json={"text": f"On! {link}"}).json()
        self.assertEqual((checks["length"], checks["limit"]), (27, 60))
        self.reply(conv, f"On! {link}", "fits")
        too_long = self.reply(conv, "Meillä on kauralattea, soijalattea ja mantelilattea joka "
                                    "päivä, ja kaurajuomaa myös kotiin.", "long")
        self.run_outbox()
        self.assertEqual(Delivery.objects.get(idempotency_key="fits").status, DeliveryStatus.SENT)
        # Stopped in the composer, before the outbox: the agent sees why and shortens it.
        self.assertEqual(too_long.delivery_state, "blocked")
        self.assertIn("60", too_long.delivery_error)
        self.assertFalse(Delivery.objects.filter(idempotency_key="long").exists())
        self.assertEqual(len(self.brand_posts()), 1, "the long reply never left")

    def test_a_limit_lowered_after_connecting_is_enforced_at_sending(self) -> None:
        self.maija.status_post("@aalto Onko teillä kauralattea?")
        channel = self.connect()
        sync.sync_once()
        self.fake.max_characters = 30  # the admin of the instance changed it since
        conv = Conversation.objects.get(channel=channel)
        message = self.reply(conv, "Meillä on kauralattea joka päivä, tervetuloa!", "late")
        self.run_outbox()
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "failed")
        self.assertIn("at most 30", message.delivery_error)
        self.assertEqual(len(self.brand_posts()), 0)
        # Reconnecting reads the new limit for the composer.
        self.api("post", f"/api/v1/channels/{channel.pk}/reconnect", self.alice_token, json={})
        channel.refresh_from_db()
        self.assertEqual(channel.config["server"]["max_characters"], 30)

    def test_a_reply_to_a_deleted_status_fails_and_says_why(self) -> None:
        root = self.maija.status_post("@aalto Kysyn jotain ja poistan sen")
        channel = self.connect()
        sync.sync_once()
        self.fake.delete(root["id"])
        message = self.reply(Conversation.objects.get(channel=channel), "Vastaus", "gone")
        self.run_outbox()
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "failed")
        self.assertIn(f"the status {root['id']} is gone", message.delivery_error)
        self.assertEqual(self.brand_posts(), [])

    def test_server_errors_back_off_with_the_servers_text_and_keep_the_channel(self) -> None:
        channel = self.connect()
        self.fake.fail_with = (503, "Mastodon is down for maintenance")
        self.poll_now(channel)
        state = SyncState.objects.get(pk=channel.pk)
        self.assertIn("HTTP 503", state.last_error)
        self.assertIn("Mastodon is down for maintenance", state.last_error)
        self.assertGreater(state.next_poll_at, timezone.now() + timedelta(seconds=20))
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.ACTIVE)
        self.fake.fail_with = None
        self.maija.status_post("@aalto Taas toiminnassa?")
        self.assertEqual(self.poll_now(channel), 1)
        # A 4xx other than 401/429 is permanent for the reply, with the server's words.
        self.fake.fail_with = (422, "Validation failed: Text can't be blank")
        message = self.reply(Conversation.objects.get(channel=channel), "Kyllä!", "refused")
        self.run_outbox()
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "failed")
        self.assertIn("HTTP 422", message.delivery_error)
        self.assertIn("Text can't be blank", message.delivery_error)
        self.assertEqual(Delivery.objects.get(idempotency_key="refused").attempts, 1)
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.ACTIVE)

    def test_poll_stream_and_reconciliation_store_each_status_once(self) -> None:
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 0)
        posted: list[dict] = []
        self.stream_while(channel, lambda: posted.append(self.maija.status_post("@aalto Aukeatteko klo 7?")))
        streamed = Message.objects.get(channel=channel)
        self.assertEqual(streamed.external_id, posted[0]["id"])
        # The same notification comes by poll, then by reconciliation: nothing new.
        self.assertEqual(self.poll_now(channel), 0)
        SyncState.objects.filter(pk=channel.pk).update(last_success_at=timezone.now() + timedelta(hours=1))
        run = sync.reconcile_channel(channel.pk)
        self.assertEqual((run.checked, run.recovered, run.error), (1, 0, ""))
        self.assertEqual(Message.objects.filter(channel=channel).count(), 1)

    def test_reconciliation_recovers_a_lost_mention(self) -> None:
        old = self.maija.status_post("@aalto Eilinen kysymys")
        self.fake.backdate(old["id"], days=1)
        self.maija.status_post("@aalto Tämän päivän kysymys")
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 2)
        Message.objects.filter(channel=channel, external_id=old["id"]).delete()
        run = sync.reconcile_channel(channel.pk)
        self.assertEqual((run.checked, run.recovered), (1, 1))
        self.assertTrue(Message.objects.filter(channel=channel, external_id=old["id"]).exists())

    def test_a_revoked_token_needs_attention_and_a_new_one_resumes_from_the_cursor(self) -> None:
        self.maija.status_post("@aalto Ensimmäinen")
        channel = self.connect()
        sync.sync_once()
        cursor = SyncState.objects.get(pk=channel.pk).cursor
        self.fake.revoke(self.brand_token)
        self.maija.status_post("@aalto Toinen, kun token oli jo peruttu")
        self.poll_now(channel)
        detail = self.api("get", f"/api/v1/channels/{channel.pk}", self.alice_token).json()
        self.assertEqual(detail["status"], "needs_attention")
        self.assertIn(INVALID_TOKEN, detail["last_error"])
        self.assertIn("reconnect the channel", detail["last_error"])
        # The stream is refused too, with the server's words.
        SyncState.objects.filter(pk=channel.pk).update(last_error="")
        sync.stream_channel(channel.pk, threading.Event())
        self.assertIn(INVALID_TOKEN, SyncState.objects.get(pk=channel.pk).last_error)
        # A wrong token on reconnect is refused with the server's text and changes nothing.
        response = self.api("post", f"/api/v1/channels/{channel.pk}/reconnect", self.alice_token,
                            json={"config": {"access_token": "typo"}})
        self.assertEqual(response.status_code, 422)
        self.assertIn(INVALID_TOKEN, response.json()["error"])
        new_token = self.fake.issue_token(self.brand["id"])
        response = self.api("post", f"/api/v1/channels/{channel.pk}/reconnect", self.alice_token,
                            json={"config": {"access_token": new_token}})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "active")
        self.assertEqual(sync.sync_once(), 1)
        notification_reads = [r for r in self.fake.requests if r["path"] == "/api/v1/notifications"]
        self.assertEqual(notification_reads[-1]["query"]["min_id"], [cursor])
        self.assertEqual(Message.objects.filter(channel=channel).count(), 2)

    def test_a_wrong_token_is_refused_at_connect_with_the_servers_text(self) -> None:
        response = self.api("post", "/api/v1/channels", self.alice_token, json={
            "network": "mastodon", "name": "Typo",
            "config": {"base_url": self.fake.base, "access_token": "not-a-token"}})
        self.assertEqual(response.status_code, 422)
        self.assertIn(INVALID_TOKEN, response.json()["error"])
        self.assertFalse(Channel.objects.filter(name="Typo").exists())

    def test_rate_limit_headers_delay_the_next_poll(self) -> None:
        self.fake.rate_period = 3600.0
        channel = self.connect()  # verify_credentials: one call of the hour
        self.maija.status_post("@aalto Hei")
        self.fake.rate_limit = 2  # the poll's call spends the rest
        sync.sync_once()
        state = SyncState.objects.get(pk=channel.pk)
        self.assertEqual((state.budget_remaining, state.budget_limit), (0, 2))
        self.assertGreater(state.next_poll_at, timezone.now() + timedelta(minutes=50),
                           "the next poll waits for the reset, not the usual minute")
        self.assertEqual(abs(state.next_poll_at - state.budget_reset_at) < timedelta(seconds=1), True)
        # Polling anyway gets 429: the channel waits for the reset and stays active.
        self.poll_now(channel)
        state.refresh_from_db()
        self.assertIn("rate limit reached", state.last_error)
        self.assertGreater(state.next_poll_at, timezone.now() + timedelta(minutes=50))
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.ACTIVE)

    # -- publishing -----------------------------------------------------------------------

    def publish(self, channel: Channel, key: str, text: str, media: list[dict] | None = None,
                link: str | None = None) -> Delivery:
        payload = {"text": text, "network": "mastodon", "media": media or [], "link": link}
        with self.captureOnCommitCallbacks(execute=False):
            return outbox.do_enqueue(workspace_id=channel.workspace_id, channel_id=channel.pk,
                                     idempotency_key=key, ref=f"post:{key}", payload=payload,
                                     action="publish")

    def image(self, name: str, size: int = 64) -> str:
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / name
        path.write_bytes(PNG + bytes(size))
        return str(path)

    def test_a_post_is_published_once_even_when_its_answer_was_lost(self) -> None:
        channel = self.connect()
        self.fake.drop_next_posts = 1  # the server stores the status, the answer never comes
        delivery = self.publish(channel, "post-joulu", "Joulukahvi on täällä! #aaltokahvi")
        self.run_outbox(rounds=1)
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.UNKNOWN)
        self.run_outbox()
        delivery.refresh_from_db()
        [status] = self.fake.statuses_of(self.brand["id"])
        self.assertEqual((delivery.status, delivery.external_id, delivery.external_url),
                         (DeliveryStatus.SENT, status["id"], status["url"]))
        self.assertEqual((status["visibility"], status["in_reply_to_id"]), ("public", None))
        self.assertEqual(status["content"], "<p>Joulukahvi on täällä! #aaltokahvi</p>")
        # Found among the brand's statuses after the lost answer, not posted again.
        self.assertEqual([p["headers"].get("Idempotency-Key") for p in self.brand_posts()], ["post-joulu"])
        lookups = [r for r in self.fake.requests if r["path"] == f"/api/v1/accounts/{self.brand['id']}/statuses"]
        self.assertEqual(len(lookups), 1)

    def test_images_go_up_first_with_their_alt_text_and_the_link_comes_last(self) -> None:
        channel = self.connect()
        media = [{"path": self.image("kuppi.png"), "content_type": "image/png", "alt": "Höyryävä kuppi"},
                 {"path": self.image("pavut.png"), "content_type": "image/png", "alt": "Paahdetut pavut"}]
        delivery = self.publish(channel, "post-kuvat", "Uusi paahto!", media, link="https://aalto.example/paahto")
        self.run_outbox()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.SENT, delivery.error)
        [status] = self.fake.statuses_of(self.brand["id"])
        self.assertEqual([m["description"] for m in status["media_attachments"]],
                         ["Höyryävä kuppi", "Paahdetut pavut"])
        self.assertEqual([self.fake.media[m["id"]]["data"] for m in status["media_attachments"]],
                         [Path(m["path"]).read_bytes() for m in media])
        self.assertIn("Uusi paahto!</p><p><a href=\"https://aalto.example/paahto\"", status["content"])
        self.assertEqual([p["path"] for p in self.brand_posts()], ["/api/v2/media", "/api/v2/media", "/api/v1/statuses"])

    def test_over_limit_posts_are_refused_before_anything_is_sent(self) -> None:
        self.fake.max_characters = 60
        self.fake.image_size_limit = 1000
        channel = self.connect()
        # A long link counts 23: this fits in 60 as Mastodon counts, though it has 120 letters.
        fits = self.publish(channel, "fits", "Lue lisää: https://aalto.example/" + "x" * 90)
        long = self.publish(channel, "long", "Meillä on kauralattea, soijalattea ja mantelilattea joka päivä.")
        picture = {"path": self.image("kuva.png"), "content_type": "image/png", "alt": ""}
        many = self.publish(channel, "many", "Kuvia", [picture] * 5)
        heavy = self.publish(channel, "heavy", "Iso kuva", [{**picture, "path": self.image("iso.png", 2000)}])
        odd = self.publish(channel, "odd", "Kuva", [{**picture, "content_type": "image/heic"}])
        self.run_outbox()
        for delivery in (fits, long, many, heavy, odd):
            delivery.refresh_from_db()
        self.assertEqual(fits.status, DeliveryStatus.SENT)
        for refused, says in ((long, "at most 60. Shorten the text"), (many, "5 attachments, at most 4"),
                              (heavy, "at most 1,000 for its type"), (odd, "image/heic, which the server")):
            self.assertEqual((refused.status, refused.attempts), (DeliveryStatus.FAILED, 1))
            self.assertIn(says, refused.error)
            self.assertIn("publish again", refused.error)
        self.assertEqual([p["path"] for p in self.brand_posts()], ["/api/v1/statuses"], "only the one that fits")

    def test_a_post_that_never_arrived_is_published_after_the_lookup_misses(self) -> None:
        channel = self.connect()
        # The brand already said the same words, but as a reply: not our post.
        brand_app = self.fake.client(self.brand_token)
        elsewhere = brand_app.status_post("Aukeamme klo 7", in_reply_to_id=self.maija.status_post("Milloin?")["id"])
        delivery = self.publish(channel, "post-auki", "Aukeamme klo 7")
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.UNKNOWN)  # a try whose outcome is unknown
        self.run_outbox()
        delivery.refresh_from_db()
        [status] = [s for s in self.fake.statuses_of(self.brand["id"]) if s["id"] != elsewhere["id"]]
        self.assertEqual((delivery.status, delivery.external_id), (DeliveryStatus.SENT, status["id"]))
        self.assertEqual(status["in_reply_to_id"], None)
        lookups = [r for r in self.fake.requests if r["path"] == f"/api/v1/accounts/{self.brand['id']}/statuses"]
        self.assertEqual(lookups[0]["query"]["exclude_replies"], ["1"])
