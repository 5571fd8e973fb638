"""The Bluesky channel against a real stack (PLC, PDS, AppView from @atproto/dev-env):
customers post in the network, Breakwater syncs, replies and publishes through its engine."""

from __future__ import annotations

import io
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image as PILImage

from breakwater.connectors.base import ConnectorError, OutboundPost, OutboundReply
from breakwater.connectors.bluesky import xrpc
from breakwater.connectors.bluesky.connector import BlueskyConnector, Image
from breakwater.connectors.bluesky.mapping import parse_time
from breakwater.connectors.bluesky.tests.stack import Stack, wait_until
from breakwater.core.models import Channel, ChannelStatus
from breakwater.inbox.models import Conversation, Direction, Message
from breakwater.ingest import sync
from breakwater.ingest.models import SyncState
from breakwater.ingest.pipeline import ingest_items
from breakwater.outbox import actions as outbox
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.test import BaseTestCase, listening_addresses


def run_outbox(rounds: int = 5) -> None:
    """What the worker does for deliveries, with time moved on to each retry."""
    for _ in range(rounds):
        Delivery.objects.exclude(status__in=(DeliveryStatus.SENT, DeliveryStatus.FAILED)).update(
            next_attempt_at=timezone.now(), updated_at=timezone.now() - outbox.LEASE)
        due = outbox.claim_due_deliveries()
        if not due:
            return
        for delivery_id in due:
            outbox.do_deliver(delivery_id)


@pytest.mark.xdist_group("bluesky")
@pytest.mark.usefixtures("stack_on_class")
class BlueskyTestCase(BaseTestCase):
    stack: Stack

    def setUp(self) -> None:
        self.brand = self.stack.account("kahvila")
        self.customer = self.stack.account("maija")
        self.brand_post = self.stack.post(self.brand, "Joulukahvi on täällä ☕")

    def config(self, password: str | None = None) -> dict[str, str]:
        if password is None:
            if not hasattr(self, "app_password"):
                self.app_password = self.stack.app_password(self.brand)
            password = self.app_password
        return {"service": self.stack.pds, "handle": self.brand.handle, "app_password": password}

    def connect(self, **config: Any) -> Channel:
        response = self.api("post", "/api/v1/channels", self.alice_token, json={
            "network": "bluesky", "name": "Kahvila on Bluesky", "config": config or self.config()})
        self.assertEqual(response.status_code, 201, response.content)
        return Channel.objects.get(pk=response.json()["id"])

    def detail(self, channel: Channel) -> dict[str, Any]:
        return self.api("get", f"/api/v1/channels/{channel.pk}", self.alice_token).json()

    def poll(self, channel: Channel) -> int:
        SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now(),
                                                       lease_until=None)
        return sync.sync_once()


class InboxTestCase(BlueskyTestCase):
    def test_replies_and_mentions_arrive_threaded_by_their_root_post(self) -> None:
        other = self.stack.account("pekka")
        first = self.stack.post(self.customer, "Onko tätä kauramaidolla?", reply_to=self.brand_post)
        nested = self.stack.post(other, "Minäkin haluan tietää!", reply_to=first)
        mention = self.stack.mention(other, self.brand, "toimitatteko Tampereelle?")
        self.stack.wait_for_notifications(self.brand, 3)
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 3)

        thread = Conversation.objects.get(channel=channel, thread_key=self.brand_post["uri"])
        messages = list(Message.objects.filter(conversation=thread).order_by("created_at"))
        self.assertEqual([m.external_id for m in messages], [first["uri"], nested["uri"]])
        self.assertEqual(messages[1].parent_external_id, first["uri"])
        self.assertEqual(messages[0].text, "Onko tätä kauramaidolla?")
        self.assertEqual(messages[0].author.handle, self.customer.handle)
        alone = Conversation.objects.get(channel=channel, thread_key=mention["uri"])
        self.assertEqual(Message.objects.get(conversation=alone).kind, "mention")
        detail = self.detail(channel)
        self.assertEqual((detail["status"], detail["last_error"]), ("active", ""))
        self.assertIsNotNone(detail["last_synced_at"])
        # The next poll, with the session due for a refresh (refreshSession), reads back over
        # the cursor and finds nothing new.
        xrpc.expire_sessions()
        self.assertEqual(self.poll(channel), 0)
        self.assertEqual(self.detail(channel)["last_error"], "")
        self.assertEqual(Message.objects.filter(channel=channel).count(), 3)

    def test_poll_and_stream_store_each_post_once(self) -> None:
        channel = self.connect()
        connector = sync.connector_for(channel)
        stream = connector.stream(None)
        with ThreadPoolExecutor(1) as pool:
            # Opened: it polls the notifications once (none yet), then follows the firehose.
            opened = pool.submit(next, stream).result(timeout=30)
            self.assertEqual((opened.items, opened.cursor), ([], None))
            reply = self.stack.post(self.customer, "Striimin kautta", reply_to=self.brand_post)
            page = pool.submit(next, stream).result(timeout=30)
        stream.close()
        self.assertEqual([i.external_id for i in page.items], [reply["uri"]])
        self.assertEqual(page.items[0].thread_key, self.brand_post["uri"])
        self.assertEqual(page.items[0].author.handle, self.customer.handle)
        self.assertEqual(sync.store_page(channel, connector, page), 1)
        self.stack.wait_for_notifications(self.brand, 1)
        self.assertEqual(self.poll(channel), 0)  # the poll brings the same post: stored once
        again = self.poll(channel)
        self.assertEqual(again, 0)
        stored = Message.objects.filter(channel=channel, external_id=reply["uri"])
        self.assertEqual(stored.count(), 1)
        self.assertEqual(Conversation.objects.filter(channel=channel).count(), 1)

    def test_reconciliation_recovers_a_lost_post(self) -> None:
        # Posted (and so dated by the AppView) an hour ago: older than the last poll.
        an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        self.stack.post(self.customer, "Vanha kysymys", reply_to=self.brand_post,
                        created_at=an_hour_ago)
        self.stack.wait_for_notifications(self.brand, 1)
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 1)
        Message.objects.filter(channel=channel).delete()
        run = sync.reconcile_channel(channel.pk)
        self.assertEqual((run.checked, run.recovered, run.error), (1, 1, ""))
        self.assertEqual(self.detail(channel)["recovered_gaps"], 1)


class ReplyTestCase(BlueskyTestCase):
    def test_a_reply_from_breakwater_arrives_threaded_with_a_mention(self) -> None:
        first = self.stack.post(self.customer, "Onko tätä kauramaidolla?", reply_to=self.brand_post)
        self.stack.wait_for_notifications(self.brand, 1)
        channel = self.connect()
        sync.sync_once()
        conv = Conversation.objects.get(channel=channel)
        text = f"@{self.customer.handle} on, kaikissa kahviloissamme! 🌾"
        response = self.api("post", f"/api/v1/conversations/{conv.pk}/replies", self.bob_token,
                            json={"text": text, "idempotency_key": "kaura-1"})
        self.assertEqual(response.status_code, 201, response.content)
        run_outbox()
        delivery = Delivery.objects.get(idempotency_key="kaura-1")
        self.assertEqual(delivery.status, DeliveryStatus.SENT, delivery.error)

        # The customer sees it under their reply, in the brand's thread.
        wait_until(lambda: self.stack.thread(self.customer, first["uri"]).get("replies"),
                   "reply in the thread")
        (answer,) = self.stack.thread(self.customer, first["uri"])["replies"]
        self.assertEqual(answer["post"]["uri"], delivery.external_id)
        self.assertEqual(answer["post"]["author"]["did"], self.brand.did)
        record = answer["post"]["record"]
        self.assertEqual(record["text"], text)
        self.assertEqual(record["reply"]["parent"], {"uri": first["uri"], "cid": first["cid"]})
        self.assertEqual(record["reply"]["root"],
                         {"uri": self.brand_post["uri"], "cid": self.brand_post["cid"]})
        (facet,) = record["facets"]
        mention = text.encode()[facet["index"]["byteStart"]:facet["index"]["byteEnd"]]
        self.assertEqual(mention.decode(), f"@{self.customer.handle}")
        self.assertEqual(facet["features"][0]["did"], self.customer.did)
        sent = Message.objects.get(conversation=conv, direction=Direction.OUT)
        self.assertEqual(sent.external_id, delivery.external_id)

    def test_an_unknown_outcome_finds_the_reply_already_posted(self) -> None:
        first = self.stack.post(self.customer, "Missä olette?", reply_to=self.brand_post)
        connector = BlueskyConnector(self.config())
        reply = OutboundReply(idempotency_key="k", text="Helsingissä ja Tampereella.",
                              thread_key=self.brand_post["uri"], in_reply_to=first["uri"],
                              is_public=True, network="bluesky")
        self.assertIsNone(connector.find_delivery(reply))
        sent = connector.send_reply(reply)
        self.assertEqual(connector.find_delivery(reply), sent)
        other_parent = OutboundReply(**{**reply.__dict__, "in_reply_to": self.brand_post["uri"]})
        self.assertIsNone(connector.find_delivery(other_parent))

    def test_a_reply_over_300_graphemes_is_refused_before_sending(self) -> None:
        connector = BlueskyConnector(self.config())
        before = len(self.stack.records(self.brand))
        reply = OutboundReply(idempotency_key="k", text="👍🏽" * 301,
                              thread_key=self.brand_post["uri"], in_reply_to=None, is_public=True,
                              network="bluesky")
        with self.assertRaises(ConnectorError) as caught:
            connector.send_reply(reply)
        self.assertTrue(caught.exception.permanent)
        self.assertFalse(caught.exception.reauth)
        self.assertIn("at most 300 characters; this one has 301", caught.exception.message)
        self.assertEqual(len(self.stack.records(self.brand)), before)
        # 300 of them fit (600 code points: Bluesky counts graphemes).
        fits = connector.send_reply(OutboundReply(**{**reply.__dict__, "text": "👍🏽" * 300}))
        self.assertTrue(fits.external_id.startswith(f"at://{self.brand.did}/"))
        # Through the API, a longer text never reaches the outbox.
        self.stack.post(self.customer, "Kysymys", reply_to=self.brand_post)
        self.stack.wait_for_notifications(self.brand, 1)
        channel = self.connect()
        sync.sync_once()
        conv = Conversation.objects.get(channel=channel)
        response = self.api("post", f"/api/v1/conversations/{conv.pk}/replies", self.bob_token,
                            json={"text": "k" * 301})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Delivery.objects.filter(channel_id=channel.pk).exists())


def png(size: int) -> bytes:
    """An uncompressed PNG of ``size`` x ``size`` pixels (about 3 * size**2 bytes)."""
    pixels = bytes(range(256)) * (size * size * 3 // 256 + 1)
    image = PILImage.frombytes("RGB", (size, size), pixels)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


class PublishTestCase(BlueskyTestCase):
    def test_it_publishes_text_and_images_within_bluesky_limits(self) -> None:
        connector = BlueskyConnector(self.config())
        small = png(64)
        sent = connector.publish_post("Uusi kahvi ☕", [Image(small, "image/png", "Kahvikuppi")])
        (record,) = [r for r in self.stack.records(self.brand) if r["uri"] == sent.external_id]
        (image,) = record["value"]["embed"]["images"]
        self.assertEqual((image["alt"], image["image"]["size"]), ("Kahvikuppi", len(small)))
        big = png(600)  # about 1.08 MB: the PDS would take it, the AppView's lexicon would not
        self.assertGreater(len(big), 1_000_000)
        with self.assertRaises(ConnectorError) as caught:
            connector.publish_post("Liian iso", [Image(big, "image/png")])
        self.assertIn("Bluesky takes at most 1,000,000 bytes per image", caught.exception.message)
        with self.assertRaisesMessage(ConnectorError, "at most 4 images"):
            connector.publish_post("Liikaa", [Image(small, "image/png")] * 5)
        self.assertEqual(len(self.stack.records(self.brand)), 2)  # the brand's first post, and this


class PublishThroughOutboxTestCase(BlueskyTestCase):
    def enqueue(self, channel: Channel, key: str, text: str,
                media: list[dict[str, str]] | None = None) -> Delivery:
        return outbox.do_enqueue(workspace_id=channel.workspace_id, channel_id=channel.pk,
                                 idempotency_key=key, ref=f"post:{key}", action="publish",
                                 payload={"text": text, "network": "bluesky", "media": media or []})

    def own_posts(self, text: str) -> list[dict[str, Any]]:
        """The brand's posts (not replies) with this text, as its repository has them."""
        return [r for r in self.stack.records(self.brand)
                if r["value"]["text"] == text and "reply" not in r["value"]]

    def test_a_post_with_an_image_file_is_published_and_shown_by_the_appview(self) -> None:
        channel = self.connect()
        image_bytes = png(48)
        with tempfile.NamedTemporaryFile(suffix=".png") as file:
            file.write(image_bytes)
            file.flush()
            delivery = self.enqueue(channel, "joulu-1", "Joulun erikoiskahvi on täällä! 🎄", [
                {"path": file.name, "content_type": "image/png", "alt": "Kuppi ja piparkakku"}])
            run_outbox()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.SENT, delivery.error)
        (record,) = self.own_posts("Joulun erikoiskahvi on täällä! 🎄")
        self.assertEqual(record["uri"], delivery.external_id)
        (image,) = record["value"]["embed"]["images"]
        self.assertEqual((image["image"]["mimeType"], image["image"]["size"]),
                         ("image/png", len(image_bytes)))
        # A customer sees it in the AppView with its image and alt text.
        wait_until(lambda: self.stack.xrpc("GET", "app.bsky.feed.getPosts",
                                           self.customer.access_jwt,
                                           params={"uris": [delivery.external_id]})["posts"],
                   "published post in the AppView")
        (shown,) = self.stack.xrpc("GET", "app.bsky.feed.getPosts", self.customer.access_jwt,
                                   params={"uris": [delivery.external_id]})["posts"]
        self.assertEqual(shown["author"]["did"], self.brand.did)
        (viewed,) = shown["embed"]["images"]
        self.assertEqual(viewed["alt"], "Kuppi ja piparkakku")
        self.assertIn(image["image"]["ref"]["$link"], viewed["fullsize"])

    def test_an_unknown_outcome_finds_the_post_already_published(self) -> None:
        channel = self.connect()
        connector = BlueskyConnector(self.config())
        text = "Avoinna tänään klo 8–18."
        # The brand's reply with the same text is no publication of it.
        connector.send_reply(OutboundReply(idempotency_key="r", text=text,
                                           thread_key=self.brand_post["uri"], in_reply_to=None,
                                           is_public=True, network="bluesky"))
        delivery = self.enqueue(channel, "auki-1", text)
        post = OutboundPost.from_payload("auki-1", delivery.payload)
        self.assertIsNone(connector.find_publication(post))
        # The first attempt reached Bluesky, but its answer was lost.
        sent = connector.publish(post)
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.UNKNOWN, attempts=1)
        self.assertEqual(connector.find_publication(post), sent)
        with_image = OutboundPost.from_payload("x", {**delivery.payload, "media": [
            {"path": "/nonexistent.png", "content_type": "image/png", "alt": "Ovi"}]})
        self.assertIsNone(connector.find_publication(with_image))
        run_outbox()
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.external_id, delivery.attempts),
                         (DeliveryStatus.SENT, sent.external_id, 2))
        self.assertEqual([r["uri"] for r in self.own_posts(text)], [sent.external_id])

        # Unknown, but nothing reached Bluesky: published once.
        other = self.enqueue(channel, "auki-2", "Suljettu jouluaattona.")
        Delivery.objects.filter(pk=other.pk).update(status=DeliveryStatus.UNKNOWN, attempts=1)
        run_outbox()
        other.refresh_from_db()
        self.assertEqual(other.status, DeliveryStatus.SENT, other.error)
        self.assertEqual([r["uri"] for r in self.own_posts("Suljettu jouluaattona.")],
                         [other.external_id])


class SearchTestCase(BlueskyTestCase):
    def customer_items(self, page: Any) -> list[Any]:
        return [i for i in page.items if i.author.external_id == self.customer.did]

    def test_search_finds_new_posts_with_a_finnish_word_once(self) -> None:
        first = self.stack.post(self.customer, "Tämä jäätelö on parasta Helsingissä")
        self.stack.post(self.customer, "Ei mitään aiheesta")
        reply = self.stack.post(self.customer, "Onko jäätelö vegaanista?",
                                reply_to=self.brand_post)
        self.stack.post(self.brand, "Meidän jäätelö on kaurapohjaista")  # the brand's own
        channel = self.connect()
        connector = sync.connector_for(channel)
        page = connector.search("jäätelö", None)
        found = self.customer_items(page)
        self.assertEqual([i.external_id for i in found], [reply["uri"], first["uri"]])
        self.assertFalse([i for i in page.items if i.author.external_id == self.brand.did])
        self.assertEqual({(i.kind, i.is_public, i.network, i.channel) for i in found},
                         {("mention", True, "bluesky", channel.pk)})
        self.assertEqual([i.thread_key for i in found], [self.brand_post["uri"], first["uri"]])
        self.assertEqual(found[1].author.handle, self.customer.handle)
        self.assertTrue(page.cursor)

        # With the cursor: only what came after.
        self.assertEqual(self.customer_items(connector.search("jäätelö", page.cursor)), [])
        later = self.stack.post(self.customer, "Jäätelö loppui! Ostin uuden jäätelö-annoksen")
        again = connector.search("jäätelö", page.cursor)
        self.assertEqual([i.external_id for i in self.customer_items(again)], [later["uri"]])
        self.assertGreater(parse_time(again.cursor), parse_time(page.cursor))

        # Found by search and by the inbox: the same ids, stored once.
        result = ingest_items(channel.workspace_id, found)
        self.assertEqual(result.created, 2)
        self.stack.wait_for_notifications(self.brand, 1)
        self.assertEqual(sync.sync_once(), 0)
        self.assertEqual(Message.objects.filter(channel=channel, external_id=reply["uri"]).count(),
                         1)


class CredentialsTestCase(BlueskyTestCase):
    def test_a_wrong_app_password_is_a_422_with_the_servers_text(self) -> None:
        response = self.api("post", "/api/v1/channels", self.alice_token, json={
            "network": "bluesky", "name": "Typo", "config": self.config("aaaa-bbbb-cccc-dddd")})
        self.assertEqual(response.status_code, 422)
        self.assertIn("Invalid identifier or password", response.json()["error"])
        self.assertFalse(Channel.objects.filter(name="Typo").exists())

    def test_a_revoked_app_password_needs_attention_and_reconnecting_resumes(self) -> None:
        self.stack.post(self.customer, "Ensimmäinen", reply_to=self.brand_post)
        self.stack.wait_for_notifications(self.brand, 1)
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 1)
        cursor = SyncState.objects.get(pk=channel.pk).cursor
        self.assertTrue(cursor)

        self.stack.revoke_app_password(self.brand)
        # Access tokens outlive a revoked app password; the kept session's time comes.
        xrpc.expire_sessions()
        second = self.stack.post(self.customer, "Toinen", reply_to=self.brand_post)
        self.stack.wait_for_notifications(self.brand, 2)
        self.assertEqual(self.poll(channel), 0)
        channel.refresh_from_db()
        self.assertEqual(channel.status, ChannelStatus.NEEDS_ATTENTION)
        detail = self.detail(channel)
        self.assertEqual(detail["status"], "needs_attention")
        self.assertIn("Invalid identifier or password", detail["last_error"])
        self.assertEqual(SyncState.objects.get(pk=channel.pk).cursor, cursor)

        new_password = self.stack.app_password(self.brand, "uusi")
        response = self.api("post", f"/api/v1/channels/{channel.pk}/reconnect", self.alice_token,
                            json={"config": {"app_password": new_password}})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "active")
        self.assertEqual(sync.sync_once(), 1)
        self.assertEqual(list(Message.objects.filter(channel=channel).order_by("created_at")
                              .values_list("text", flat=True)), ["Ensimmäinen", "Toinen"])
        self.assertTrue(Message.objects.filter(external_id=second["uri"]).exists())
        self.assertEqual(self.poll(channel), 0)


def test_the_stack_listens_on_loopback_only(bluesky_stack: Stack) -> None:
    """dev-env binds every interface by default; scripts/servers/bluesky-start.mjs keeps all
    of its servers (PLC, PDS, AppView, ozone and their helpers) on 127.0.0.1."""
    pid = int((bluesky_stack.state / "pid").read_text())
    addresses = listening_addresses(pid)
    pds_port = int(bluesky_stack.pds.rsplit(":", 1)[1])
    assert ("127.0.0.1", pds_port) in addresses
    assert {host for host, _ in addresses} == {"127.0.0.1"}, addresses
