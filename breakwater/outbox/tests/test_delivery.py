"""The outbox sends once: retries back off, ask the network first, and failures show."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from breakwater.connectors.base import ConnectorError, DeliveryResult
from breakwater.connectors.demo.connector import DemoConnector
from breakwater.core.models import Channel, ChannelStatus
from breakwater.inbox.actions import do_reply
from breakwater.inbox.models import Message
from breakwater.outbox import actions
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.test import BaseTestCase


class DeliveryTestCase(BaseTestCase):
    def reply(self, text: str = "Kiitos viestistä!") -> tuple[Message, Delivery]:
        conv = self.conversation(text="Hei!")
        with self.captureOnCommitCallbacks(execute=False):
            message, _ = do_reply(self.bob, conv.pk, text, "key-1")
        return message, Delivery.objects.get(idempotency_key="key-1")

    def test_it_backs_off_after_a_rate_limit_and_keeps_the_networks_text(self) -> None:
        message, delivery = self.reply()
        error = ConnectorError("HTTP 429: slow down", retry_after=120)
        with mock.patch.object(DemoConnector, "send_reply", side_effect=error):
            actions.do_deliver(delivery.pk)
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.QUEUED)
        self.assertEqual(delivery.error, "HTTP 429: slow down")
        self.assertGreater(delivery.next_attempt_at, timezone.now() + timedelta(seconds=100))
        self.assertEqual(actions.claim_due_deliveries(), [])
        self.assertEqual(Message.objects.get(pk=message.pk).delivery_error, "HTTP 429: slow down")

    def test_it_asks_the_network_before_sending_again(self) -> None:
        _, delivery = self.reply()
        with mock.patch.object(DemoConnector, "send_reply",
                               side_effect=ConnectorError("timed out", retry_after=0.01,
                                                           outcome_unknown=True)):
            actions.do_deliver(delivery.pk)
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        self.assertEqual(actions.claim_due_deliveries(), [delivery.pk])
        found = DeliveryResult(external_id="already-there")
        with mock.patch.object(DemoConnector, "find_delivery", return_value=found) as find, \
                mock.patch.object(DemoConnector, "send_reply") as send:
            actions.do_deliver(delivery.pk)
        find.assert_called_once()
        send.assert_not_called()
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.external_id), (DeliveryStatus.SENT, "already-there"))

    def test_it_fails_for_good_and_flags_the_channel_on_a_permanent_error(self) -> None:
        message, delivery = self.reply()
        error = ConnectorError("token expired: reconnect the channel", reauth=True)
        with mock.patch.object(DemoConnector, "send_reply", side_effect=error):
            actions.do_deliver(delivery.pk)
        message.refresh_from_db()
        self.assertEqual(message.delivery_state, "failed")
        self.assertEqual(message.delivery_error, "token expired: reconnect the channel")
        channel = Channel.objects.get(pk=self.channel.pk)
        self.assertEqual(channel.status, ChannelStatus.NEEDS_ATTENTION)
        self.assertIn("token expired", channel.status_detail)

    def test_it_leaves_a_delivery_another_worker_is_sending(self) -> None:
        _, delivery = self.reply()
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING,
                                                       updated_at=timezone.now())
        with mock.patch.object(DemoConnector, "send_reply") as send:
            self.assertIsNone(actions.do_deliver(delivery.pk))
        send.assert_not_called()

    def test_it_does_not_enqueue_a_fresh_delivery_twice(self) -> None:
        _, delivery = self.reply()
        # Its task was enqueued on commit; the sweep leaves it alone during the lease.
        self.assertEqual(actions.claim_due_deliveries(), [])
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        self.assertEqual(actions.claim_due_deliveries(), [delivery.pk])
        self.assertEqual(actions.claim_due_deliveries(), [])
