"""The API channel: items pushed by any system through ``POST /api/v1/ingest``."""

import hashlib

from breakwater.connectors.base import (
    INBOX_AND_REPLY,
    Connector,
    ConnectorError,
    DeliveryResult,
    OutboundReply,
    Parameter,
)
from breakwater.lib import http


class ApiConnector(Connector):
    """A custom source. Replies go to ``reply_url`` when set (JSON POST with an
    ``Idempotency-Key`` header); without it they stay in Breakwater for the integrator
    to read from the conversation API."""

    key = "api"
    label = "Custom source (API)"
    capabilities = INBOX_AND_REPLY
    parameters = (
        Parameter("reply_url", "Reply webhook URL", help="Replies are POSTed here as JSON"),
        Parameter("reply_secret", "Reply webhook secret", sensitive=True),
    )
    EVENT_TYPES = ("comment", "ad_comment", "mention", "dm", "review", "post", "reply")

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        url = self.config.get("reply_url")
        if not url:
            digest = hashlib.sha256(reply.idempotency_key.encode()).hexdigest()[:20]
            return DeliveryResult(external_id=f"api-reply-{digest}")
        headers = {"Idempotency-Key": reply.idempotency_key}
        if self.config.get("reply_secret"):
            headers["Authorization"] = f"Bearer {self.config['reply_secret']}"
        body = {
            "idempotency_key": reply.idempotency_key,
            "text": reply.text,
            "thread_key": reply.thread_key,
            "in_reply_to": reply.in_reply_to,
            "network": reply.network,
        }
        data = http.post_json(url, body, headers=headers)
        external_id = str(data.get("external_id") or data.get("id") or "")
        if not external_id:
            raise ConnectorError("reply_url answered without an external_id", permanent=True)
        return DeliveryResult(external_id=external_id, url=str(data.get("url") or ""))
