"""A reply goes out once: through failures, timeouts after the network took it, and
against a real webhook receiver that signs, rate-limits and refuses."""

import hashlib
import hmac
from datetime import timedelta
from unittest import mock

import httpx
from django.test import override_settings
from django.utils import timezone

from breakwater.core.actions import channel_config, do_create_channel
from breakwater.core.models import Channel, ChannelStatus
from breakwater.inbox.actions import do_reply
from breakwater.inbox.models import Conversation, Message
from breakwater.lib import http
from breakwater.outbox import actions
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.outbox.tests import flaky
from breakwater.outbox.tests.receiver import Answer, receiver
from breakwater.test import BaseTestCase

CONNECTORS = [
    "breakwater.connectors.demo.connector.DemoConnector",
    "breakwater.connectors.api.connector.ApiConnector",
    "breakwater.outbox.tests.flaky.FlakyConnector",
]


class OutboxTestCase(BaseTestCase):
    def conversation_on(self, channel: Channel) -> Conversation:
        return self.conversation(network=channel.network, channel=channel.pk, text="Hei!")

    def reply(self, conv: Conversation, key: str = "reply-1") -> tuple[Message, Delivery]:
        with self.captureOnCommitCallbacks(execute=False):
            message, _ = do_reply(self.bob, conv.pk, "Kiitos viestistä!", key)
        return message, Delivery.objects.get(idempotency_key=key)

    def run_outbox(self, rounds: int = 10) -> None:
        """What the worker does, with time moving on to each retry's due time."""
        for _ in range(rounds):
            Delivery.objects.exclude(status__in=(DeliveryStatus.SENT, DeliveryStatus.FAILED)).update(
                next_attempt_at=timezone.now(), updated_at=timezone.now() - actions.LEASE
            )
            due = actions.claim_due_deliveries()
            if not due:
                return
            for delivery_id in due:
                actions.do_deliver(delivery_id)


@override_settings(BREAKWATER_CONNECTORS=CONNECTORS)
class FlakyTestCase(OutboxTestCase):
    """A channel on the network that fails on demand, with a fresh network each test."""

    def setUp(self) -> None:
        flaky.network.__init__()
        self.flaky = do_create_channel(self.alice, "flaky", "Flaky")


class ExactlyOnceTestCase(FlakyTestCase):
    def test_it_delivers_once_when_the_network_fails_twice_then_succeeds(self) -> None:
        message, delivery = self.reply(self.conversation_on(self.flaky))
        flaky.network.will(["fail", "fail", "ok"])
        self.run_outbox()
        self.assertEqual(flaky.network.sends, 3)
        self.assertEqual(list(flaky.network.accepted), ["reply-1"])
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (DeliveryStatus.SENT, 3))
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "sent")
        self.assertEqual(message.external_id, flaky.network.result("reply-1").external_id)
        self.assertEqual(message.delivery_error, "")

    def test_it_does_not_send_again_after_a_timeout_once_the_network_has_it(self) -> None:
        message, delivery = self.reply(self.conversation_on(self.flaky))
        flaky.network.will(["accept-then-timeout"])
        actions.do_deliver(delivery.pk)
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.UNKNOWN)
        message.refresh_from_db()
        self.assertEqual((message.delivery_state, message.delivery_error),
                         ("unknown", "no answer in time"))
        self.run_outbox()
        self.assertEqual((flaky.network.sends, flaky.network.lookups), (1, 1))
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "sent")

    def test_it_sends_after_a_timeout_when_the_network_does_not_have_it(self) -> None:
        message, _ = self.reply(self.conversation_on(self.flaky))
        flaky.network.will(["lost-then-timeout", "ok"])
        self.run_outbox()
        self.assertEqual((flaky.network.sends, flaky.network.lookups), (2, 1))
        self.assertEqual(list(flaky.network.accepted), ["reply-1"])
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "sent")

    def test_a_person_can_retry_a_failed_delivery(self) -> None:
        message, delivery = self.reply(self.conversation_on(self.flaky))
        Delivery.objects.filter(pk=delivery.pk).update(attempts=actions.MAX_ATTEMPTS)
        flaky.network.will(["fail"])
        actions.do_deliver(delivery.pk)
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "failed")
        with self.captureOnCommitCallbacks(execute=True):
            self.assertTrue(actions.do_retry(delivery.pk))
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "sent")
        self.assertEqual(len(flaky.network.accepted), 1)
        self.assertFalse(actions.do_retry(delivery.pk), "a sent delivery is not sent again")

    def test_a_paused_channel_holds_its_replies_until_it_resumes(self) -> None:
        from breakwater.core.actions import do_pause_channel, do_resume_channel

        message, delivery = self.reply(self.conversation_on(self.flaky))
        do_pause_channel(self.alice, self.flaky.pk)
        self.run_outbox()
        self.assertEqual(flaky.network.sends, 0)
        message.refresh_from_db()
        self.assertEqual((message.delivery_state, message.delivery_error),
                         ("queued", "waiting: the channel is paused"))
        do_resume_channel(self.alice, self.flaky.pk)
        self.run_outbox()
        message.refresh_from_db()
        self.assertEqual((message.delivery_state, flaky.network.sends), ("sent", 1))

    def test_backoff_doubles_until_five_minutes_unless_the_network_says(self) -> None:
        self.assertEqual([actions.backoff(n, None) for n in (1, 2, 3, 9)], [2, 4, 8, 300])
        self.assertEqual(actions.backoff(3, 42), 42)


class ApiWebhookTestCase(OutboxTestCase):
    def api_channel(self, url: str) -> Channel:
        return do_create_channel(self.alice, "api", "CRM", {"webhook_url": url})

    def test_it_posts_signed_json_and_records_the_external_id(self) -> None:
        with receiver(Answer(200, {"external_id": "crm-77", "url": "https://crm.invalid/77"})) as crm:
            channel = self.api_channel(crm.url)
            conv = self.conversation_on(channel)
            message, delivery = self.reply(conv)
            self.run_outbox()
        [request] = crm.requests
        secret = channel_config(channel)["secret"]
        self.assertGreaterEqual(len(secret), 32)
        expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        self.assertEqual(request.headers["X-Breakwater-Signature"], expected)
        self.assertEqual(request.headers["Idempotency-Key"], "reply-1")
        body = request.json()
        self.assertEqual(body["conversation"], conv.pk)
        self.assertEqual(body["in_reply_to"], conv.messages.get(direction="in").external_id)
        self.assertEqual((body["text"], body["idempotency_key"]), ("Kiitos viestistä!", "reply-1"))
        self.assertEqual(body["author"]["name"], "Bob")
        message.refresh_from_db()
        self.assertEqual((message.delivery_state, message.external_id, message.url),
                         ("sent", "crm-77", "https://crm.invalid/77"))

    def test_any_2xx_is_sent_even_without_an_answer_body(self) -> None:
        with receiver(Answer(204, "")) as crm:
            message, _ = self.reply(self.conversation_on(self.api_channel(crm.url)))
            self.run_outbox()
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "sent")
        self.assertTrue(message.external_id.startswith("api-reply-"))

    def test_it_honours_retry_after_on_429_and_retries_5xx(self) -> None:
        with receiver(Answer(429, {"error": "slow down"}, {"Retry-After": "120"}),
                      Answer(503, {"error": "maintenance"}), Answer(201, {"external_id": "x"})) as crm:
            channel = self.api_channel(crm.url)
            message, delivery = self.reply(self.conversation_on(channel))
            before = timezone.now()
            actions.do_deliver(delivery.pk)
            delivery.refresh_from_db()
            self.assertEqual(delivery.status, DeliveryStatus.QUEUED)
            self.assertIn("HTTP 429", delivery.error)
            self.assertGreaterEqual(delivery.next_attempt_at, before + timedelta(seconds=119))
            self.run_outbox()
        self.assertEqual(len(crm.requests), 3)
        self.assertEqual({r.headers["Idempotency-Key"] for r in crm.requests}, {"reply-1"})
        message.refresh_from_db()
        self.assertEqual((message.delivery_state, message.external_id), ("sent", "x"))

    def test_a_4xx_fails_for_good_with_the_receivers_text(self) -> None:
        with receiver(Answer(422, {"error": "unknown conversation"})) as crm:
            channel = self.api_channel(crm.url)
            message, delivery = self.reply(self.conversation_on(channel))
            self.run_outbox()
        self.assertEqual(len(crm.requests), 1)
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "failed")
        self.assertIn("unknown conversation", message.delivery_error)
        # One refused reply is not a broken channel; a refused credential is.
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.ACTIVE)

    def test_a_401_flags_the_channel(self) -> None:
        with receiver(Answer(401, {"error": "bad signature"})) as crm:
            channel = self.api_channel(crm.url)
            self.reply(self.conversation_on(channel))
            self.run_outbox()
        channel.refresh_from_db()
        self.assertEqual(channel.status, ChannelStatus.NEEDS_ATTENTION)
        self.assertIn("bad signature", channel.status_detail)

    def test_a_timeout_is_unknown_and_the_same_key_is_posted_again(self) -> None:
        with receiver(Answer(200, {"external_id": "slow"}, delay=1.0),
                      Answer(200, {"external_id": "slow"})) as crm, \
                mock.patch.object(http, "TIMEOUT", httpx.Timeout(0.3)):
            message, delivery = self.reply(self.conversation_on(self.api_channel(crm.url)))
            actions.do_deliver(delivery.pk)
            message.refresh_from_db()
            self.assertEqual(message.delivery_state, "unknown")
            self.run_outbox()
        self.assertEqual([r.headers["Idempotency-Key"] for r in crm.requests], ["reply-1", "reply-1"])
        message.refresh_from_db()
        self.assertEqual((message.delivery_state, message.external_id), ("sent", "slow"))

    def test_it_accepts_the_first_releases_setting_names(self) -> None:
        channel = do_create_channel(self.alice, "api", "Old", {"reply_url": "https://crm.invalid/r"})
        self.assertEqual(channel.config, {"webhook_url": "https://crm.invalid/r"})


class RetryTestCase(FlakyTestCase):
    def failed_reply(self) -> Message:
        message, delivery = self.reply(self.conversation_on(self.flaky))
        Delivery.objects.filter(pk=delivery.pk).update(attempts=actions.MAX_ATTEMPTS)
        flaky.network.will(["fail"])
        actions.do_deliver(delivery.pk)
        return message

    def test_the_api_retries_a_failed_reply_once(self) -> None:
        message = self.failed_reply()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api("post", f"/api/v1/messages/{message.pk}/retry", self.bob_token)
        self.assertEqual(response.status_code, 200, response.content)
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "sent")
        again = self.api("post", f"/api/v1/messages/{message.pk}/retry", self.bob_token)
        self.assertEqual(again.status_code, 409)
        self.assertIn("sent", again.json()["error"])
        self.assertEqual(self.api("post", f"/api/v1/messages/{message.pk}/retry",
                                  self.vera_token).status_code, 403)
        self.assertEqual(self.api("post", f"/api/v1/messages/{message.pk}/retry",
                                  self.charlie_token).status_code, 404)

    def test_the_conversation_page_offers_retry_with_the_networks_text(self) -> None:
        message = self.failed_reply()
        self.client.force_login(self.bob.user)
        page = self.client.get(f"/c/{message.conversation_id}/").content.decode()
        self.assertIn("HTTP 503: try again later", page)
        self.assertIn(f"/m/{message.pk}/retry/", page)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/m/{message.pk}/retry/")
        self.assertEqual(response.status_code, 302)
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "sent")


class ItemActionTestCase(FlakyTestCase):
    """Hiding and liking go through the outbox like replies: retried, shown, once."""

    def inbound(self, channel: Channel) -> Message:
        return self.conversation_on(channel).messages.get(direction="in")

    def test_a_hide_is_retried_and_shown_on_the_message(self) -> None:
        from breakwater.inbox.actions import do_act_on_message

        message = self.inbound(self.flaky)
        flaky.network.will(["fail", "fail"])
        with self.captureOnCommitCallbacks(execute=False):
            do_act_on_message(self.bob, message.pk, "hide")
        message.refresh_from_db()
        self.assertEqual(message.network_actions["hidden"]["status"], "queued")
        self.run_outbox()
        self.assertEqual(flaky.network.sends, 3)
        [acted] = flaky.network.acted
        self.assertEqual((acted.action, acted.external_id), ("hide", message.external_id))
        message.refresh_from_db()
        self.assertEqual((message.network_actions["hidden"]["value"],
                          message.network_actions["hidden"]["status"]), (True, "sent"))

    def test_the_api_hides_unhides_and_likes_where_the_network_can(self) -> None:
        message = self.inbound(self.channel)  # the demo network hides and likes
        url = f"/api/v1/messages/{message.pk}"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api("post", f"{url}/like", self.bob_token)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["network_actions"]["liked"]["status"], "queued")
        message.refresh_from_db()
        self.assertEqual(message.network_actions["liked"]["status"], "sent")
        flaky_message = self.inbound(self.flaky)  # hides, cannot like
        refused = self.api("post", f"/api/v1/messages/{flaky_message.pk}/like", self.bob_token)
        self.assertEqual(refused.status_code, 422)
        self.assertIn("does not let Breakwater like", refused.json()["error"])
        self.assertEqual(self.api("post", f"{url}/hide", self.vera_token).status_code, 403)
        self.assertEqual(self.api("post", f"{url}/hide", self.charlie_token).status_code, 404)

    def test_the_conversation_page_hides_and_shows_it(self) -> None:
        message = self.inbound(self.channel)
        self.client.force_login(self.bob.user)
        page = self.client.get(f"/c/{message.conversation_id}/").content.decode()
        self.assertIn('value="hide"', page)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/m/{message.pk}/act/", {"action": "hide"})
        page = self.client.get(f"/c/{message.conversation_id}/").content.decode()
        self.assertIn("Hidden on the network", page)
        self.assertIn('value="unhide"', page)
