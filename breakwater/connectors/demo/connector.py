"""The demo network: a simulated brand account that accepts replies and feeds the inbox."""

import hashlib

from breakwater.connectors.base import (
    INBOX_AND_REPLY,
    Capability,
    Connector,
    DeliveryResult,
    ItemAction,
    OutboundPost,
    OutboundReply,
    Parameter,
)


class DemoConnector(Connector):
    """A network that exists only inside Breakwater, for trying the product and for tests.

    Replies are accepted at once; the reply's id is derived from its idempotency key, so
    asking again after an unknown outcome finds the same reply, as a real network would.
    """

    key = "demo"
    label = "Demo network"
    capabilities = INBOX_AND_REPLY | {Capability.HIDE, Capability.LIKE, Capability.PUBLISH_POST}
    parameters = (
        Parameter("handle", "Account handle", help="The simulated brand account, e.g. aaltokahvi"),
        Parameter("rate_per_minute", "Simulated messages per minute"),
    )
    EVENT_TYPES = ("comment", "ad_comment", "mention", "dm", "review", "post", "reply")
    max_text_length = 2000

    def _result(self, reply: OutboundReply) -> DeliveryResult:
        digest = hashlib.sha256(reply.idempotency_key.encode()).hexdigest()[:20]
        handle = self.config.get("handle", "aaltokahvi")
        return DeliveryResult(
            external_id=f"demo-reply-{digest}", url=f"https://demo.invalid/{handle}/{digest}"
        )

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        return self._result(reply)

    def find_delivery(self, reply: OutboundReply) -> DeliveryResult | None:
        return self._result(reply)

    def act(self, action: ItemAction) -> None:
        """Hiding and liking are accepted at once, as the simulated network has no other side."""

    def publish(self, post: OutboundPost) -> DeliveryResult:
        """Posts are accepted at once, with an id derived from the idempotency key (publishing)."""
        digest = hashlib.sha256(post.idempotency_key.encode()).hexdigest()[:20]
        handle = self.config.get("handle", "aaltokahvi")
        return DeliveryResult(
            external_id=f"demo-post-{digest}", url=f"https://demo.invalid/{handle}/posts/{digest}"
        )

    def find_publication(self, post: OutboundPost) -> DeliveryResult | None:
        return self.publish(post)
