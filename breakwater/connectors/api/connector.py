"""The API channel: items pushed by any system through ``POST /api/v1/ingest``, replies
POSTed to the integrator's webhook, signed."""

import hashlib
import hmac
import secrets
from typing import Any

from breakwater.connectors.base import (
    INBOX_AND_REPLY,
    Connector,
    DeliveryResult,
    OutboundReply,
    Parameter,
)
from breakwater.lib import http

SIGNATURE_HEADER = "X-Breakwater-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _fallback_id(reply: OutboundReply) -> str:
    return "api-reply-" + hashlib.sha256(reply.idempotency_key.encode()).hexdigest()[:20]


class ApiConnector(Connector):
    """A custom source. Replies are POSTed as JSON to ``webhook_url`` when set, signed with
    the channel's generated ``secret``; any 2xx means sent. The receiver deduplicates by
    ``idempotency_key``: after a timeout the same reply is POSTed again with the same key.
    Without a webhook, replies stay in Breakwater for the integrator to read from the API."""

    key = "api"
    label = "Custom source (API)"
    capabilities = INBOX_AND_REPLY
    parameters = (
        Parameter("webhook_url", "Reply webhook URL",
                  help="Each reply is POSTed here as JSON, signed with the channel's secret"),
        Parameter("secret", "Signing secret", sensitive=True,
                  help="Generated when the channel is created; the webhook checks "
                       "X-Breakwater-Signature with it"),
    )
    EVENT_TYPES = ("comment", "ad_comment", "mention", "dm", "review", "post", "reply")

    @classmethod
    def generated_config(cls) -> dict[str, Any]:
        return {"secret": secrets.token_urlsafe(32)}

    # The names of the first release, still accepted.
    ALIASES = {"reply_url": "webhook_url", "reply_secret": "secret"}

    @classmethod
    def validate_config(cls, config: Any) -> dict[str, Any]:
        renamed = {cls.ALIASES.get(k, k): v for k, v in config.items()}
        cleaned = super().validate_config(renamed)
        url = cleaned.get("webhook_url") or ""
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("webhook_url must be an http:// or https:// URL")
        return cleaned

    @staticmethod
    def body(reply: OutboundReply) -> dict[str, Any]:
        return {
            "conversation": reply.conversation,
            "in_reply_to": reply.in_reply_to,
            "text": reply.text,
            "idempotency_key": reply.idempotency_key,
            "author": dict(reply.author) if reply.author else None,
            "thread_key": reply.thread_key,
            "is_public": reply.is_public,
            "network": reply.network,
        }

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        url = self.config.get("webhook_url")
        if not url:
            return DeliveryResult(external_id=_fallback_id(reply))
        raw = http.encode_json(self.body(reply))
        headers = {"Content-Type": "application/json", "Idempotency-Key": reply.idempotency_key}
        if self.config.get("secret"):
            headers[SIGNATURE_HEADER] = sign(self.config["secret"], raw)
        data = http.post(url, raw, headers=headers)
        external_id = str(data.get("external_id") or "") or _fallback_id(reply)
        return DeliveryResult(external_id=external_id, url=str(data.get("url") or ""))
