"""The demo network: its recorded traffic is valid normalized items, and replies are found again."""

import json
from pathlib import Path

from django.test import SimpleTestCase

from breakwater.connectors.base import OutboundReply, parse_item
from breakwater.connectors.demo.connector import DemoConnector

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "seed7-12-items.json"


class DemoConnectorTestCase(SimpleTestCase):
    def test_the_recorded_traffic_parses_as_normalized_items(self) -> None:
        items = [parse_item(raw) for raw in json.loads(FIXTURE.read_text())]
        self.assertEqual(len(items), 12)
        self.assertEqual({i.network for i in items}, {"demo"})
        self.assertTrue(all(i.text or i.media for i in items))

    def test_a_reply_is_found_again_after_an_unknown_outcome(self) -> None:
        reply = OutboundReply(idempotency_key="k1", text="Kiitos!", thread_key="t", in_reply_to="m",
                              is_public=True, network="demo")
        connector = DemoConnector({"handle": "aaltokahvi"})
        sent = connector.send_reply(reply)
        self.assertEqual(connector.find_delivery(reply), sent)
        self.assertIn("aaltokahvi", sent.url)
