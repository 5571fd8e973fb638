"""Figures from apps being built beside reports (listening, publishing, paid): "not available
yet" until the app is installed and answers for itself.

An app provides a figure by defining ``report_<key>(filters) -> (value, series, rows)`` in its
``reports.py`` module (e.g. ``breakwater.listening.reports.report_share_of_voice``); until
then the metric answers value null, ``available: false`` and the reason.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from breakwater.reports.metrics.base import Filters, Metric, Result, metric


def _from_app(m: Metric, filters: Filters, app: str, what: str) -> Result:
    if not apps.is_installed(f"breakwater.{app}"):
        return m.unavailable(f"not available yet: {what} needs the {app} app, not installed")
    try:
        provider = getattr(import_module(f"breakwater.{app}.reports"), f"report_{m.key}")
    except (ImportError, AttributeError):
        return m.unavailable(f"not available yet: the {app} app does not report {m.key}")
    value, series, rows = provider(filters)
    return m.result(value, series, rows=rows)


@metric(
    "share_of_voice", _("Share of voice"), "ratio",
    """Of the listening mentions in the period of the brand and its tracked competitors, the
    share that mention the brand (listening app). Not available while the listening app is
    missing.""",
)
def share_of_voice(m: Metric, filters: Filters) -> Result:
    return _from_app(m, filters, "listening", "share of voice")


@metric(
    "listening_volume", _("Listening mentions"), "count",
    """Mentions found by listening queries in the period, per local day (listening app).""",
)
def listening_volume(m: Metric, filters: Filters) -> Result:
    return _from_app(m, filters, "listening", "listening volume")


@metric(
    "listening_spikes", _("Listening spikes"), "count",
    """Days in the period whose listening mentions exceed the usual level (listening app).""",
    shape="table",
)
def listening_spikes(m: Metric, filters: Filters) -> Result:
    return _from_app(m, filters, "listening", "listening spikes")


@metric(
    "posts_per_channel", _("Posts per channel"), "count",
    """Posts published in the period per channel beside the channel's cadence target
    (publishing app).""",
    shape="table",
)
def posts_per_channel(m: Metric, filters: Filters) -> Result:
    return _from_app(m, filters, "publishing", "posts per channel")


@metric(
    "engagement_per_post", _("Engagement per post"), "count",
    """Reactions, comments and shares per post published in the period (publishing app).""",
    shape="table",
)
def engagement_per_post(m: Metric, filters: Filters) -> Result:
    return _from_app(m, filters, "publishing", "engagement per post")


@metric(
    "paid_spend", _("Paid spend vs. budget"), "ratio",
    """Ad spend in the period as a share of the budget for it (paid/budgets app).""",
)
def paid_spend(m: Metric, filters: Filters) -> Result:
    return _from_app(m, filters, "paid", "paid spend")
