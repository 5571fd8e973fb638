"""Which SLA target applies to a conversation. Pure: takes plain values, no models."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    id: int
    priority: int | None  # None: any priority
    channel_id: int | None  # None: any channel
    minutes: int
    business_hours: bool


def _specificity(target: Target) -> int:
    # Priority outranks channel: an urgent message is urgent on every channel.
    return (2 if target.priority is not None else 0) + (1 if target.channel_id is not None else 0)


def pick_target(targets: Iterable[Target], priority: int, channel_id: int) -> Target | None:
    """The most specific target matching ``priority`` and ``channel_id``; ties: the shorter."""
    matching = [
        t for t in targets if t.priority in (None, priority) and t.channel_id in (None, channel_id)
    ]
    if not matching:
        return None
    return max(matching, key=lambda t: (_specificity(t), -t.minutes, -t.id))
