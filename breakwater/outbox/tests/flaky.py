"""A network that fails on demand, for proving the outbox sends exactly once.

``FlakyNetwork`` is the network's side: what it accepted, keyed by idempotency key. Its
script says what each call does: ``"fail"`` (a retryable error, nothing stored),
``"accept-then-timeout"`` (stored, but the answer never arrives), ``"lost-then-timeout"``
(the request never arrived, and the answer never comes either), or ``"ok"``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from breakwater.connectors.base import (
    INBOX_AND_REPLY,
    Capability,
    Connector,
    ConnectorError,
    DeliveryResult,
    ItemAction,
    OutboundReply,
)


class FlakyNetwork:
    def __init__(self) -> None:
        self.accepted: dict[str, OutboundReply] = {}
        self.acted: list[ItemAction] = []
        self.sends = 0
        self.lookups = 0
        self.script: list[str] = []

    def will(self, steps: Iterable[str]) -> None:
        self.script = list(steps)

    def result(self, key: str) -> DeliveryResult:
        return DeliveryResult(external_id="flaky-" + hashlib.sha256(key.encode()).hexdigest()[:12])


network = FlakyNetwork()


class FlakyConnector(Connector):
    key = "flaky"
    label = "Flaky network"
    capabilities = INBOX_AND_REPLY | {Capability.HIDE}

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        network.sends += 1
        step = network.script.pop(0) if network.script else "ok"
        if step == "fail":
            raise ConnectorError("HTTP 503: try again later", retry_after=1)
        if step == "lost-then-timeout":
            raise ConnectorError("no answer in time", retry_after=1, outcome_unknown=True)
        network.accepted[reply.idempotency_key] = reply
        if step == "accept-then-timeout":
            raise ConnectorError("no answer in time", retry_after=1, outcome_unknown=True)
        return network.result(reply.idempotency_key)

    def act(self, action: ItemAction) -> None:
        network.sends += 1
        if network.script and network.script.pop(0) == "fail":
            raise ConnectorError("HTTP 503: try again later", retry_after=1)
        network.acted.append(action)

    def find_delivery(self, reply: OutboundReply) -> DeliveryResult | None:
        network.lookups += 1
        if reply.idempotency_key in network.accepted:
            return network.result(reply.idempotency_key)
        return None
