"""The key figures of community management, each defined once.

``METRICS`` maps a key to its ``Metric`` (label, unit, definition, function);
``compute(key, filters)`` answers a ``Result``. See docs/metrics.md for every definition
with a worked example.
"""

from __future__ import annotations

from breakwater.reports.metrics import content, resolution, responses, sources, volume
from breakwater.reports.metrics.base import METRICS, Filters, Metric, Result

__all__ = ["CONTRACT", "METRICS", "Filters", "Metric", "Result", "UnknownMetric", "compute",
           "conversations_behind"]
del content, resolution, responses, sources, volume
from breakwater.reports.metrics.drill import conversations_behind  # noqa: E402 (after the registry)

# Listing order (the API's index, dashboards): volume, responses, content, other sources.
_ORDER = ("inbound_volume", "inbound_by_kind", "inbound_by_network", "inbound_heatmap",
          "response_rate", "first_response_time", "first_response_time_p90",
          "agent_response_times", "replies_per_agent", "backlog", "sla_attainment",
          "resolution_time", "sentiment_share", "sentiment_trend", "top_tags",
          "feedback_categories", "top_questions")  # fmt: skip
_rest = [k for k in METRICS if k not in _ORDER]
_ordered = {k: METRICS[k] for k in (*_ORDER, *_rest)}
METRICS.clear()
METRICS.update(_ordered)

# The keys the public API promises (issue 7's contract); the rest may grow.
CONTRACT = ("inbound_volume", "response_rate", "first_response_time", "first_response_time_p90",
            "resolution_time", "sentiment_share", "share_of_voice")  # fmt: skip


class UnknownMetric(KeyError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def compute(key: str, filters: Filters) -> Result:
    """The metric ``key`` over ``filters``; raises ``UnknownMetric`` for a key not in METRICS."""
    entry = METRICS.get(key)
    if entry is None:
        raise UnknownMetric(key)
    return entry.function(filters)
