"""Confidential stays internal: a note never reaches a connector, whatever else is sent."""

from typing import ClassVar

from django.test import override_settings

from breakwater.connectors.base import (
    INBOX_AND_REPLY,
    Connector,
    DeliveryResult,
    OutboundReply,
    _registry,
)
from breakwater.core.actions import do_create_channel
from breakwater.inbox import actions
from breakwater.test import BaseTestCase


class RecordingConnector(Connector):
    """Accepts every reply and remembers everything it was asked to send or look up."""

    key = "recording"
    label = "Recording network"
    capabilities = INBOX_AND_REPLY
    EVENT_TYPES = ("comment",)
    calls: ClassVar[list[tuple[str, str]]] = []

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        self.calls.append(("send_reply", reply.text))
        return DeliveryResult(external_id=f"rec-{reply.idempotency_key}")

    def find_delivery(self, reply: OutboundReply) -> DeliveryResult | None:
        self.calls.append(("find_delivery", reply.text))
        return None


CONNECTORS = [
    "breakwater.connectors.demo.connector.DemoConnector",
    "breakwater.connectors.api.connector.ApiConnector",
    f"{__name__}.RecordingConnector",
]


@override_settings(BREAKWATER_CONNECTORS=CONNECTORS)
class NotesNeverSentTestCase(BaseTestCase):
    def setUp(self) -> None:
        _registry.cache_clear()
        self.addCleanup(_registry.cache_clear)
        RecordingConnector.calls.clear()
        channel = do_create_channel(self.alice, "recording", "Recorder")
        self.conv = self.conversation(network="recording", channel=channel.pk)

    def test_it_sends_replies_and_never_notes(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_add_note(self.bob, self.conv.pk, "Sisäinen: asiakas on VIP, älä kerro")
            actions.do_reply(self.bob, self.conv.pk, "Kiitos viestistä!")
            actions.do_add_note(self.alice, self.conv.pk, "@bob hyvä vastaus")
            actions.do_reply(self.alice, self.conv.pk, "Palaamme asiaan.")
        self.assertEqual(RecordingConnector.calls,
                         [("send_reply", "Kiitos viestistä!"), ("send_reply", "Palaamme asiaan.")])
