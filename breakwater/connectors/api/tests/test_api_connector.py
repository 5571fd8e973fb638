"""The api network's pure parts: the webhook body and its signature, settings."""

import json
from pathlib import Path

from django.test import SimpleTestCase

from breakwater.connectors.api.connector import ApiConnector, sign
from breakwater.connectors.base import OutboundReply

FIXTURE = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "reply-webhook.json").read_text())


class ApiConnectorTestCase(SimpleTestCase):
    def test_the_signature_matches_the_documented_example(self) -> None:
        self.assertEqual(sign(FIXTURE["secret"], FIXTURE["body"].encode()), FIXTURE["signature"])
        self.assertNotEqual(sign("another", FIXTURE["body"].encode()), FIXTURE["signature"])

    def test_the_body_has_the_documented_fields(self) -> None:
        reply = OutboundReply(idempotency_key="7c1e0d", text="Kiitos, korjaamme asian!",
                              thread_key="ticket-9", in_reply_to="crm-msg-9", is_public=False,
                              network="api", conversation=42,
                              author={"id": 3, "name": "Aino", "email": "aino@example.com"})
        self.assertEqual(ApiConnector.body(reply), json.loads(FIXTURE["body"]))

    def test_settings_are_checked_and_a_secret_is_generated(self) -> None:
        with self.assertRaisesMessage(ValueError, "webhook_url must be an http"):
            ApiConnector.validate_config({"webhook_url": "ftp://crm"})
        first, second = ApiConnector.generated_config(), ApiConnector.generated_config()
        self.assertNotEqual(first["secret"], second["secret"])
        self.assertIn("secret", ApiConnector.sensitive_parameters())
